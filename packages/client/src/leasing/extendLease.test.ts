import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

// Everything a lease owns lives as long as it: extendLease refreshes the scope load key's TTL
// too, or (extended by 2 h) the key would expire under the live lease and
// scopeMaxConcurrency would be exceeded after an hour.
const TWO_HOURS = 2 * 3600;

describeEachTarget('extendLease keeps what the lease owns alive', (ctx) => {
  it('a scoped lease extended by 2 h: its scope load key outlives the new deadline', async () => {
    const { manager, pool, prefix } = await freshPool(ctx, {
      scopeMaxConcurrency: 1,
      maxSessions: 5,
      session: { maxAgeSeconds: 60 },
    });
    await manager.addProxies(pool, proxyUrls(1));
    const lease = (await manager.acquireProxy({
      pool,
      scope: 'example.com',
      durationSeconds: 60,
      session: true,
    })) as Lease;
    const extended = await manager.extendLease(lease, TWO_HOURS);
    const loadKey = `${prefix}:{${pool}}:scope:example.com:load`;
    const sessionKey = `${prefix}:{${pool}}:session:${lease.session?.id}`;
    const now = Number((await ctx.redis().time())[0]) * 1000;
    const untilDeadline = extended.expiresAt - now;
    expect(untilDeadline).toBeGreaterThan(TWO_HOURS * 1000 - 5000);
    expect(await ctx.redis().pttl(loadKey)).toBeGreaterThanOrEqual(untilDeadline);
    expect(await ctx.redis().pttl(sessionKey)).toBeGreaterThanOrEqual(untilDeadline);
    // The cap still holds under that scope; other scopes are free.
    expect(await manager.acquireProxy({ pool, scope: 'example.com' })).toBeNull();
    expect(await manager.acquireProxy({ pool, scope: 'other.com' })).not.toBeNull();
  });
});
