import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

// With the pool's sessions all made (maxSessions 40, 40 idle), a filter
// that only the most recently used idle session matches must find it (only the first 32 idle
// sessions used to be looked at).
useTestClockLibrary();

describeEachTarget('idle sessions beyond the first chunk', (ctx) => {
  it('session: true finds the one matching idle session of a full pool', async () => {
    const { manager, pool } = await freshPool(ctx, { maxSessions: 40 });
    await manager.addProxies(
      pool,
      proxyUrls(40).map((url, i) => ({ url, labels: { country: i === 39 ? 'AR' : 'BR' } })),
    );
    const leases: Lease[] = [];
    for (let i = 0; i < 40; i++) {
      leases.push((await manager.acquireProxy({ pool, session: true })) as Lease);
    }
    expect(new Set(leases.map((l) => l.proxyId)).size).toBe(40);
    const matching = leases.find((l) => l.proxy.labels.country === 'AR') as Lease;
    for (const lease of leases) if (lease !== matching) await manager.releaseProxy(lease);
    await TestClock.forPool(ctx.redis(), manager.keys, pool).advance(5);
    // The matching session becomes the most recently used of the 40 idle ones.
    await manager.releaseProxy(matching);
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(40);

    const lease = await manager.acquireProxy({
      pool,
      session: true,
      filters: { country: 'AR' },
    });
    expect(lease?.session?.id).toBe(matching.session?.id);
    expect(lease?.proxyId).toBe(matching.proxyId);

    // Nothing else matches: a miss, and no session over the cap.
    await manager.releaseProxy(lease as Lease);
    expect(
      await manager.acquireProxy({ pool, session: true, filters: { country: 'CL' } }),
    ).toBeNull();
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(40);
  });
});
