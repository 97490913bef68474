import { LeaseExpiredError } from '@leasehold/core';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../test/testSupport.js';
import { ProxyManager } from './proxyManager.js';

useTestClockLibrary();

describeEachTarget('TestClock (the test-clock build of the scripts)', (ctx) => {
  it('moves one pool: its leases expire without waiting, other pools keep real time', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.upsertPool({ name: 'other' });
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    await manager.addProxies('other', [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const lease = await manager.acquireProxy({ pool, durationSeconds: 60 });
    const untouched = await manager.acquireProxy({ pool: 'other', durationSeconds: 60 });
    const clock = TestClock.forPool(ctx.redis(), manager.keys, pool);
    expect(await clock.advance(59_000)).toBe(59_000);
    expect(await manager.acquireProxy({ pool })).toBeNull();
    await clock.advance(1_000);
    const next = await manager.acquireProxy({ pool });
    expect(next?.proxyId).toBe(lease?.proxyId);
    // Server time of this pool is now a minute ahead: the new lease says so.
    expect((next?.acquiredAt ?? 0) - (lease?.acquiredAt ?? 0)).toBeGreaterThanOrEqual(60_000);
    expect(await clock.offset()).toBe(60_000);
    expect(await manager.acquireProxy({ pool: 'other' })).toBeNull();
    expect((await manager.getPoolStats('other')).totalLeases).toBe(1);
    expect(untouched).not.toBeNull();
  });

  it('extendLease reads the same clock (its only key is leaseDeadlines)', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const clock = TestClock.forPool(ctx.redis(), manager.keys, pool);
    const lease = await manager.acquireProxy({ pool, durationSeconds: 10 });
    if (!lease) throw new Error('expected a lease');
    await clock.advance(5_000);
    const extended = await manager.extendLease(lease, 10);
    expect(extended.expiresAt - lease.acquiredAt).toBeGreaterThanOrEqual(15_000);
    await clock.advance(20_000);
    await expect(manager.extendLease(lease, 10)).rejects.toBeInstanceOf(LeaseExpiredError);
  });

  it('setOffset goes back to real time; a pool must exist before its clock moves', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const clock = TestClock.forPool(ctx.redis(), manager.keys, pool);
    await clock.advance(120_000);
    const ahead = await manager.acquireProxy({ pool, durationSeconds: 1 });
    await clock.setOffset(0);
    // Back at real time, the lease taken two minutes "later" is far from expired.
    expect(await manager.acquireProxy({ pool })).toBeNull();
    expect(ahead?.acquiredAt).toBeGreaterThan(Date.now() + 60_000);

    const missing = TestClock.forPool(ctx.redis(), manager.keys, 'nope');
    await expect(missing.advance(1)).rejects.toThrow(/no pool/);
    // Nothing written: the pool can still be created with its settings.
    const fresh = new ProxyManager({ redis: ctx.redis(), prefix });
    expect((await fresh.upsertPool({ name: 'nope', leaseSeconds: 7 })).created).toBe(true);
    expect((await fresh.getPool('nope'))?.leaseSeconds).toBe(7);
  });
});
