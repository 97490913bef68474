import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

// `healthiest` breaks ties at random: on a pool of equal scores it must not always pick the
// lowest id.
describeEachTarget('healthiest breaks ties at random', (ctx) => {
  for (const healthIndexes of [true, false]) {
    for (const filters of [undefined, { country: 'AR' }]) {
      it(`equal scores spread over the pool (healthIndexes ${healthIndexes}, filter ${filters !== undefined})`, async () => {
        const { manager, pool } = await freshPool(ctx, { healthIndexes });
        await manager.addProxies(
          pool,
          proxyUrls(10).map((url) => ({ url, labels: { country: 'AR' } })),
        );
        const picked = new Set<string>();
        for (let i = 0; i < 40; i++) {
          const lease = (await manager.acquireProxy({
            pool,
            selector: 'healthiest',
            filters,
          })) as Lease;
          picked.add(lease.proxyId);
          await manager.releaseProxy(lease);
        }
        expect(picked.size).toBeGreaterThanOrEqual(4);
      });
    }
  }
});
