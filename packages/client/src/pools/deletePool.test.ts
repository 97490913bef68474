import { PoolBusyError, PoolNotFoundError } from '@leasehold/core';
import { luaScripts } from '@leasehold/core/internal';
import { describeEachTarget, scanKeys, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls, snapshotKeys } from '../../test/testSupport.js';
import type { ManagerContext } from '../managerContext.js';
import type { Lease } from '../types.js';

// deletePool removes every key of a pool in bounded batches, and refuses while
// the pool has live leases.
useTestClockLibrary();

describeEachTarget('deletePool', (ctx) => {
  it('leaves no key of a pool with proxies, labels, tags, sessions, rests, errors and expired leases', async () => {
    const { manager, prefix, pool } = await freshPool(ctx, { healthIndexes: true });
    await manager.upsertPool({ name: 'other' });
    await manager.addProxies('other', proxyUrls(2));
    await manager.addProxies(
      pool,
      proxyUrls(25).map((url, i) => ({
        url,
        labels: { country: i % 2 ? 'AR' : 'BR' },
        tags: [`t${i % 3}`],
      })),
    );
    const withSession = (await manager.acquireProxy({ pool, session: true })) as Lease;
    await manager.releaseProxy(withSession);
    const scoped = (await manager.acquireProxy({ pool, scope: 'site.example' })) as Lease;
    await manager.releaseProxy(scoped, { ok: false, error: 'rate_limit', retryAfterMs: 60_000 });
    const failed = (await manager.acquireProxy({ pool })) as Lease;
    await manager.releaseProxy(failed, { ok: false, error: 'network' });
    // An expired lease is reclaimed, not a refusal.
    await manager.acquireProxy({ pool, durationSeconds: 1 });
    await TestClock.forPool(ctx.redis(), manager.keys, pool).advance(5_000);
    const tag = `${prefix}:{${pool}}:`;
    expect((await scanKeys(ctx.redis(), `${tag}scope:*`)).length).toBeGreaterThan(0);
    expect((await scanKeys(ctx.redis(), `${tag}session:*`)).length).toBe(1);

    const result = await manager.deletePool(pool, { batchSize: 10 });
    expect(result).toMatchObject({ pool, proxies: 25 });
    // 25 proxies at 10 a call: 3 calls, then one for the fixed keys.
    expect(result.batches).toBe(4);
    expect(await scanKeys(ctx.redis(), `${tag}*`)).toEqual([]);
    expect(await manager.listPools()).toEqual(['other']);
    expect(await manager.getPool(pool)).toBeNull();
    expect((await manager.listProxies('other')).length).toBe(2);
    await expect(manager.acquireProxy({ pool })).rejects.toBeInstanceOf(PoolNotFoundError);
    await expect(manager.deletePool(pool)).rejects.toBeInstanceOf(PoolNotFoundError);
  });

  it('refuses while a lease is live and deletes nothing', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(3));
    const lease = (await manager.acquireProxy({ pool })) as Lease;
    const before = await snapshotKeys(ctx.redis(), prefix);
    const refused = await manager.deletePool(pool).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PoolBusyError);
    expect(refused).toMatchObject({ code: 'POOL_BUSY', activeLeases: 1 });
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
    await manager.releaseProxy(lease);
    expect((await manager.deletePool(pool)).proxies).toBe(3);
  });

  it('marks the pool deleted on its first batch, so acquires find no pool', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(5));
    // One batch by hand, as a delete cut short would leave it.
    const internals = (manager as unknown as { ctx: ManagerContext }).ctx;
    await internals.runPoolScript(luaScripts.deletePoolBatch, pool, [
      internals.prefix(pool),
      2,
      100,
    ]);
    await expect(manager.acquireProxy({ pool })).rejects.toBeInstanceOf(PoolNotFoundError);
    await expect(manager.addProxies(pool, proxyUrls(1, 9))).rejects.toBeInstanceOf(
      PoolNotFoundError,
    );
    // Called again, the delete resumes and finishes.
    expect((await manager.deletePool(pool)).proxies).toBe(3);
    expect(await manager.listPools()).toEqual([]);
  });

  it('validates its input', async () => {
    const { manager } = await freshPool(ctx);
    await expect(manager.deletePool('bad name')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(manager.deletePool('p1', { batchSize: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
