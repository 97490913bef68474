import {
  LeaseExpiredError,
  LeaseNotFoundError,
  NoProxyAvailableError,
  ProxyBusyError,
} from '@leasehold/core';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it, vi } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { ProxyManager } from '../proxyManager.js';
import type { AcquireEvent, ReleaseEvent } from '../types.js';

// Expiries are reached by moving the pool's clock, not by sleeping.
useTestClockLibrary();

describeEachTarget('ProxyManager leasing', (ctx) => {
  const clockOf = (manager: ProxyManager, pool: string) =>
    TestClock.forPool(ctx.redis(), manager.keys, pool);

  it('leases a proxy with server-time deadlines and decoded credentials', async () => {
    const { manager, pool } = await freshPool(ctx, { leaseSeconds: 30 });
    const [added] = await manager.addProxies(pool, [
      {
        url: 'socks5://us%40er:p%3Ass@[2001:db8::1]:1080',
        labels: { country: 'AR' },
        tags: ['residential'],
      },
    ]);
    const before = Date.now();
    const lease = await manager.acquireProxy({ pool, consumer: 'worker-1', durationSeconds: 1.5 });
    expect(lease).not.toBeNull();
    expect(lease?.proxyId).toBe(added?.id);
    expect(lease?.consumer).toBe('worker-1');
    expect(lease?.proxy).toEqual({
      url: 'socks5://us%40er:p%3Ass@[2001:db8::1]:1080',
      protocol: 'socks5',
      host: '2001:db8::1',
      port: 1080,
      username: 'us@er',
      password: 'p:ss',
      labels: { country: 'AR' },
      tags: ['residential'],
    });
    expect(lease?.expiresAt).toBe((lease?.acquiredAt ?? 0) + 1500);
    // Server time, on this machine close to ours.
    expect(Math.abs((lease?.acquiredAt ?? 0) - before)).toBeLessThan(5_000);
  });

  it('uses the pool lease duration and the default consumer when none is given', async () => {
    const { manager, pool } = await freshPool(ctx, { leaseSeconds: 42 });
    await manager.addProxies(pool, proxyUrls(1));
    const lease = await manager.acquireProxy({ pool });
    expect(lease?.consumer).toBe('default');
    expect((lease?.expiresAt ?? 0) - (lease?.acquiredAt ?? 0)).toBe(42_000);
  });

  it('returns null on an empty pool and on an exhausted one', async () => {
    const { manager, pool } = await freshPool(ctx);
    expect(await manager.acquireProxy({ pool })).toBeNull();
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 2 }]);
    expect(await manager.acquireProxy({ pool })).not.toBeNull();
    expect(await manager.acquireProxy({ pool })).not.toBeNull();
    expect(await manager.acquireProxy({ pool })).toBeNull();
  });

  it('hands out strictly increasing fencing tokens for each new lease of a proxy', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const tokens: number[] = [];
    for (let i = 0; i < 5; i++) {
      const lease = await manager.acquireProxy({ pool });
      if (!lease) throw new Error('expected a lease');
      tokens.push(lease.fencingToken);
      await manager.releaseProxy(lease);
    }
    for (let i = 1; i < tokens.length; i++)
      expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as number);
  });

  it('double release gives the capacity back once and says so', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 2 }]);
    const a = await manager.acquireProxy({ pool });
    const b = await manager.acquireProxy({ pool });
    if (!a || !b) throw new Error('expected two leases');
    expect(await manager.releaseProxy(a)).toEqual({ released: true });
    expect(await manager.releaseProxy(a)).toEqual({ released: false, reason: 'not_found' });
    const results = await Promise.all(Array.from({ length: 10 }, () => manager.releaseProxy(a)));
    expect(results.every((r) => !r.released)).toBe(true);
    const [record] = await manager.listProxies(pool);
    expect(record?.activeLeases).toBe(1);
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
  });

  it('releasing an unknown lease is a no-op, never a throw', async () => {
    const { manager, pool } = await freshPool(ctx);
    const result = await manager.releaseProxy({ id: 'nope', pool, proxyId: '0123456789abcdef' });
    expect(result).toEqual({ released: false, reason: 'not_found' });
  });

  it('reclaims an expired lease inside acquire, without any worker, and reuses the proxy', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const first = await manager.acquireProxy({ pool, durationSeconds: 10 });
    expect(await manager.acquireProxy({ pool })).toBeNull();
    await clockOf(manager, pool).advance(10_000);
    const second = await manager.acquireProxy({ pool });
    expect(second?.proxyId).toBe(first?.proxyId);
    expect(second?.fencingToken).toBeGreaterThan(first?.fencingToken ?? 0);
    // The expired holder learns its lease is gone; nothing is given back twice.
    if (!first) throw new Error('expected a lease');
    expect(await manager.releaseProxy(first)).toEqual({ released: false, reason: 'not_found' });
    const stats = await manager.getPoolStats(pool);
    expect(stats).toMatchObject({ totalLeases: 1, leasedProxies: 1, availableProxies: 0 });
  });

  it('release after the deadline but before any sweep reports expired and reclaims once', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const lease = await manager.acquireProxy({ pool, durationSeconds: 10 });
    if (!lease) throw new Error('expected a lease');
    await clockOf(manager, pool).advance(10_000);
    expect(await manager.releaseProxy(lease)).toEqual({ released: false, reason: 'expired' });
    expect(await manager.getPoolStats(pool)).toMatchObject({
      totalLeases: 0,
      leasedProxies: 0,
      availableProxies: 1,
    });
  });

  it('cleanupExpiredLeases reclaims every expired lease in batches and counts them', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(30));
    // Long enough that no acquire of this batch reclaims an earlier one lazily.
    const started = Date.now();
    const leases = await Promise.all(
      Array.from({ length: 1200 }, (_, i) =>
        manager.acquireProxy({ pool, durationSeconds: i < 1100 ? 30 : 60 }),
      ),
    );
    expect(leases.every((l) => l !== null)).toBe(true);
    // Acquiring must end before the first lease expires, or acquires would reclaim some.
    expect(Date.now() - started).toBeLessThan(30_000);
    await clockOf(manager, pool).advance(30_000);
    expect(await manager.cleanupExpiredLeases(pool)).toBe(1100);
    expect(await manager.cleanupExpiredLeases(pool)).toBe(0);
    const stats = await manager.getPoolStats(pool);
    expect(stats.totalLeases).toBe(100);
    const records = await manager.listProxies(pool);
    expect(records.reduce((sum, r) => sum + r.activeLeases, 0)).toBe(100);
  });

  it('extendLease renews a live lease and fails with a typed error once it is gone', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const clock = clockOf(manager, pool);
    const lease = await manager.acquireProxy({ pool, durationSeconds: 5 });
    if (!lease) throw new Error('expected a lease');
    const extended = await manager.extendLease(lease, 10);
    expect(extended.expiresAt).toBeGreaterThan(lease.expiresAt);
    expect(extended.expiresAt - lease.acquiredAt).toBeGreaterThanOrEqual(10_000);
    // A shorter extension never shortens the lease.
    const again = await manager.extendLease(extended, 0.5);
    expect(again.expiresAt).toBe(extended.expiresAt);
    await clock.advance(6_000);
    // Still live thanks to the extension.
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
    await manager.releaseProxy(lease);
    await expect(manager.extendLease(lease, 10)).rejects.toBeInstanceOf(LeaseNotFoundError);

    const short = await manager.acquireProxy({ pool, durationSeconds: 10 });
    if (!short) throw new Error('expected a lease');
    await clock.advance(10_000);
    await expect(manager.extendLease(short, 10)).rejects.toBeInstanceOf(LeaseExpiredError);
  });

  it('pool stats are exact through acquire, release and expiry', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, [
      { url: proxyUrls(3)[0] as string, maxConcurrency: 1 },
      { url: proxyUrls(3)[1] as string, maxConcurrency: 2 },
      { url: proxyUrls(3)[2] as string },
    ]);
    expect(await manager.getPoolStats(pool)).toEqual({
      totalProxies: 3,
      activeProxies: 3,
      availableProxies: 3,
      leasedProxies: 0,
      totalLeases: 0,
      openCircuits: 0,
      liveSessions: 0,
    });
    const held = [];
    for (let i = 0; i < 4; i++)
      held.push(await manager.acquireProxy({ pool, selector: 'first-available' }));
    // p0 full (1/1), p1 full (2/2), p2 has one of unlimited.
    expect(await manager.getPoolStats(pool)).toEqual({
      totalProxies: 3,
      activeProxies: 3,
      availableProxies: 1,
      leasedProxies: 3,
      totalLeases: 4,
      openCircuits: 0,
      liveSessions: 0,
    });
    // p1 keeps one of its two leases: still leased, but available again.
    await manager.releaseProxy(held[1] as NonNullable<(typeof held)[number]>);
    expect(await manager.getPoolStats(pool)).toMatchObject({
      availableProxies: 2,
      leasedProxies: 3,
      totalLeases: 3,
    });
    await manager.releaseProxy(held[2] as NonNullable<(typeof held)[number]>);
    expect(await manager.getPoolStats(pool)).toMatchObject({
      availableProxies: 2,
      leasedProxies: 2,
      totalLeases: 2,
    });
    // An expired lease is never counted as live.
    await manager.acquireProxy({ pool, selector: 'first-available', durationSeconds: 10 });
    expect(await manager.getPoolStats(pool)).toMatchObject({ leasedProxies: 3, totalLeases: 3 });
    await clockOf(manager, pool).advance(10_000);
    expect(await manager.getPoolStats(pool)).toEqual({
      totalProxies: 3,
      activeProxies: 3,
      availableProxies: 2,
      leasedProxies: 2,
      totalLeases: 2,
      openCircuits: 0,
      liveSessions: 0,
    });
  });

  it('removeProxy refuses a leased proxy and removes an idle one with its index entries', async () => {
    const { manager, pool } = await freshPool(ctx);
    const [a, b] = await manager.addProxies(pool, [
      { url: proxyUrls(2)[0] as string, labels: { country: 'AR' } },
      { url: proxyUrls(2)[1] as string, labels: { country: 'AR' } },
    ]);
    const lease = await manager.acquireProxy({ pool, selector: 'first-available' });
    expect(lease?.proxyId).toBe(a?.id);
    await expect(manager.removeProxy(pool, a?.id as string)).rejects.toBeInstanceOf(ProxyBusyError);
    await manager.removeProxy(pool, b?.id as string);
    expect((await manager.listProxies(pool)).map((p) => p.id)).toEqual([a?.id]);
    expect(await ctx.redis().smembers(manager.keys.label(pool, 'country', 'AR'))).toEqual([a?.id]);
    expect(await manager.getPoolStats(pool)).toMatchObject({ totalProxies: 1, activeProxies: 1 });
    await expect(manager.removeProxy(pool, b?.id as string)).rejects.toMatchObject({
      code: 'PROXY_NOT_FOUND',
    });
  });

  it('re-adding a proxy is idempotent and updates labels, tags and cap in place', async () => {
    const { manager, pool } = await freshPool(ctx);
    const url = 'http://user:pw@10.0.0.1:8080';
    const [first] = await manager.addProxies(pool, [
      { url, labels: { country: 'AR' }, tags: ['a'] },
    ]);
    const lease = await manager.acquireProxy({ pool });
    const [second] = await manager.addProxies(pool, [
      {
        url: 'HTTP://user:pw@10.0.0.1:8080/',
        labels: { country: 'BR' },
        tags: ['b'],
        maxConcurrency: 1,
      },
    ]);
    expect(second?.id).toBe(first?.id);
    expect(second).toMatchObject({
      labels: { country: 'BR' },
      tags: ['b'],
      maxConcurrency: 1,
      activeLeases: 1,
    });
    expect(await manager.getPoolStats(pool)).toMatchObject({
      totalProxies: 1,
      availableProxies: 0,
    });
    expect(await ctx.redis().exists(manager.keys.label(pool, 'country', 'AR'))).toBe(0);
    expect(await manager.acquireProxy({ pool, filters: { country: 'AR' } })).toBeNull();
    await manager.releaseProxy(lease as NonNullable<typeof lease>);
    expect(
      (await manager.acquireProxy({ pool, filters: { country: 'BR', tags: ['b'] } }))?.proxyId,
    ).toBe(first?.id);
  });

  it('listProxies redacts credentials unless asked and pages in insertion order', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(5));
    const page = await manager.listProxies(pool, { offset: 1, limit: 2 });
    expect(page.map((p) => p.host)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(JSON.stringify(page)).not.toContain('pw');
    const full = await manager.listProxies(pool, { includeCredentials: true, limit: 1 });
    expect(full[0]).toMatchObject({
      username: 'u0',
      password: 'pw',
      url: 'http://u0:pw@10.0.0.0:8080',
    });
  });

  it('emits acquire and release events with stats, and a throwing listener loses nothing', async () => {
    const errors: unknown[] = [];
    const { manager: base, prefix, pool } = await freshPool(ctx);
    await base.addProxies(pool, proxyUrls(2));
    const { ProxyManager } = await import('../proxyManager.js');
    const manager = new ProxyManager({
      redis: ctx.redis(),
      prefix,
      onListenerError: (error) => errors.push(error),
    });
    const acquired: AcquireEvent[] = [];
    const released: ReleaseEvent[] = [];
    manager.onAcquire(() => {
      throw new Error('listener bug');
    });
    manager.onAcquire(async () => {
      throw new Error('async listener bug');
    });
    manager.onAcquire((e) => {
      acquired.push(e);
    });
    const off = manager.onRelease((e) => {
      released.push(e);
    });
    const lease = await manager.acquireProxy({
      pool,
      consumer: 'c1',
      filters: { exclude: [] },
      selector: 'least-used',
    });
    expect(lease).not.toBeNull();
    expect(acquired[0]).toMatchObject({
      lease,
      pool,
      consumer: 'c1',
      selector: 'least-used',
      filters: { exclude: [] },
      poolStats: { totalProxies: 2, leasedProxies: 1, totalLeases: 1 },
    });
    expect(acquired[0]?.durationMs).toBeGreaterThan(0);
    await clockOf(manager, pool).advance(20);
    await manager.releaseProxy(lease as NonNullable<typeof lease>);
    expect(released[0]).toMatchObject({
      pool,
      result: { released: true },
      poolStats: { totalLeases: 0 },
    });
    expect(released[0]?.leaseDurationMs).toBeGreaterThanOrEqual(15);
    // The async listener's rejection lands on a later tick.
    await vi.waitFor(() => expect(errors).toHaveLength(2));
    expect(errors.map(String)).toEqual(['Error: listener bug', 'Error: async listener bug']);
    off();
    expect(await manager.acquireProxy({ pool })).not.toBeNull();
    expect(released).toHaveLength(1);
  });

  it('withLease releases on return and on throw; throws when nothing is available', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const value = await manager.withLease({ pool }, async (lease) => lease.proxy.host);
    expect(value).toBe('10.0.0.0');
    await expect(
      manager.withLease({ pool }, async () => {
        throw new Error('scrape failed');
      }),
    ).rejects.toThrow('scrape failed');
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
    const held = await manager.acquireProxy({ pool });
    await expect(manager.withLease({ pool }, async () => 1)).rejects.toBeInstanceOf(
      NoProxyAvailableError,
    );
    await manager.releaseProxy(held as NonNullable<typeof held>);
  });

  it('acquireProxyWithRetry waits with backoff until capacity frees up', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const held = await manager.acquireProxy({ pool });
    setTimeout(() => void manager.releaseProxy(held as NonNullable<typeof held>), 150);
    const started = Date.now();
    const lease = await manager.acquireProxyWithRetry({
      pool,
      maxAttempts: 10,
      backoffSeconds: 0.05,
      maxBackoffSeconds: 0.1,
    });
    expect(lease).not.toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    const none = await manager.acquireProxyWithRetry({
      pool,
      maxAttempts: 2,
      backoffSeconds: 0.01,
    });
    expect(none).toBeNull();
    const result = await manager
      .withRetryingLease({ pool, maxAttempts: 1 }, async () => 'x')
      .catch((e) => e);
    expect(result).toBeInstanceOf(NoProxyAvailableError);
  });

  it('every proxy sits in exactly one of available:byOrder and unavailable; listings keep insertion order', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 1 });
    const ids = (
      await manager.addProxies(
        pool,
        proxyUrls(6).map((url) => ({ url, maxConcurrency: 1 })),
      )
    ).map((p) => p.id);
    await manager.acquireProxy({ pool, filters: { exclude: ids.filter((id) => id !== ids[1]) } }); // at cap
    await manager.transitionProxyState(pool, ids[3] as string, 'disabled', 'test');
    const lease = await manager.acquireProxy({
      pool,
      filters: { exclude: ids.filter((id) => id !== ids[4]) },
    });
    await manager.releaseProxy(lease as NonNullable<typeof lease>, { ok: false, error: 'network' }); // circuit open
    const keys = manager.keys.poolKeys(pool);
    const [available, unavailable] = await Promise.all([
      ctx.redis().zrange(keys.availableByOrder, 0, -1),
      ctx.redis().zrange(keys.unavailable, 0, -1),
    ]);
    expect(unavailable.sort()).toEqual([ids[1], ids[3], ids[4]].sort());
    expect([...available, ...unavailable].sort()).toEqual([...ids].sort());
    expect((await manager.listProxies(pool)).map((p) => p.id)).toEqual(ids);
    expect((await manager.listProxies(pool, { offset: 2, limit: 3 })).map((p) => p.id)).toEqual(
      ids.slice(2, 5),
    );
    expect((await manager.getAllProxyHealth(pool)).map((h) => h.proxyId)).toEqual(ids);
    expect(await manager.getPoolStats(pool)).toMatchObject({
      totalProxies: 6,
      availableProxies: 3,
      activeProxies: 5,
    });
    await manager.removeProxy(pool, ids[3] as string);
    expect(await ctx.redis().zrange(keys.unavailable, 0, -1)).not.toContain(ids[3]);
    expect((await manager.getPoolStats(pool)).totalProxies).toBe(5);
  });
});
