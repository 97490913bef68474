import { ValidationError } from '@leasehold/core';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import {
  freshPool,
  namedManager,
  proxyUrls,
  snapshotKeys,
  waitForAttempt,
} from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

// Delays end by moving the pool's clock, not by sleeping.
useTestClockLibrary();

describeEachTarget('reuse delays (reuseDelaySeconds, scopeReuseDelaySeconds)', (ctx) => {
  /** One proxy of the given cap (none when absent), and the pool's clock. */
  async function onePool(settings: Record<string, unknown>, maxConcurrency?: number) {
    const fixture = await freshPool(ctx, settings);
    const [proxy] = await fixture.manager.addProxies(fixture.pool, [
      { url: proxyUrls(1)[0] as string, ...(maxConcurrency ? { maxConcurrency } : {}) },
    ]);
    const clock = TestClock.forPool(ctx.redis(), fixture.manager.keys, fixture.pool);
    return { ...fixture, proxyId: proxy?.id as string, clock };
  }

  it('a cap-2 proxy is not leased again until the delay after its lease was taken', async () => {
    const { manager, pool, proxyId, clock } = await onePool({ reuseDelaySeconds: 60 }, 2);
    const first = (await manager.acquireProxy({ pool })) as Lease;
    expect(first).not.toBeNull();
    // A free slot, yet delayed: out of the available count, and its state says until when.
    expect(await manager.acquireProxy({ pool })).toBeNull();
    expect(await manager.getPoolStats(pool)).toMatchObject({
      availableProxies: 0,
      totalLeases: 1,
    });
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      activeLeases: 1,
      reuseDelayUntil: first.acquiredAt + 60_000,
    });
    // Releasing does not end the delay: it runs from when the lease was taken.
    await manager.releaseProxy(first, { ok: true });
    expect(await manager.acquireProxy({ pool })).toBeNull();
    // One second before the end (this test takes far less real time than that): still out.
    await clock.advance(59_000);
    expect(await manager.acquireProxy({ pool })).toBeNull();
    await clock.advance(1_000);
    const second = (await manager.acquireProxy({ pool })) as Lease;
    expect(second).not.toBeNull();
    expect(second.acquiredAt).toBeGreaterThanOrEqual(first.acquiredAt + 60_000);
    expect((await manager.getProxyState(pool, proxyId)).reuseDelayUntil).toBe(
      second.acquiredAt + 60_000,
    );
    await manager.close();
  });

  it('pool stats count the proxy available again once the delay is recovered', async () => {
    const { manager, pool, proxyId, clock } = await onePool({ reuseDelaySeconds: 5 });
    const lease = (await manager.acquireProxy({ pool })) as Lease;
    await manager.releaseProxy(lease);
    expect((await manager.getPoolStats(pool)).availableProxies).toBe(0);
    await clock.advance(5_000);
    // Stats reclaim a bounded batch of due cooldowns first, the delay among them.
    expect((await manager.getPoolStats(pool)).availableProxies).toBe(1);
    expect((await manager.getProxyState(pool, proxyId)).reuseDelayUntil).toBeNull();
    await manager.close();
  });

  it('a scoped delay holds the proxy for that scope only', async () => {
    const { manager, pool, clock } = await onePool({ scopeReuseDelaySeconds: 30 });
    const a = (await manager.acquireProxy({ pool, scope: 'a.example' })) as Lease;
    await manager.releaseProxy(a);
    expect(await manager.acquireProxy({ pool, scope: 'a.example' })).toBeNull();
    // Other scopes and unscoped leases are free; the pool still counts the proxy available.
    expect((await manager.getPoolStats(pool)).availableProxies).toBe(1);
    const b = (await manager.acquireProxy({ pool, scope: 'b.example' })) as Lease;
    expect(b).not.toBeNull();
    const unscoped = (await manager.acquireProxy({ pool })) as Lease;
    expect(unscoped).not.toBeNull();
    await clock.advance(29_000);
    expect(await manager.acquireProxy({ pool, scope: 'a.example' })).toBeNull();
    await clock.advance(1_000);
    expect(await manager.acquireProxy({ pool, scope: 'a.example' })).not.toBeNull();
    // b's delay started with b's lease, at the same time as a's second one… ended too.
    expect(await manager.acquireProxy({ pool, scope: 'b.example' })).not.toBeNull();
    await manager.close();
  });

  it('a scoped lease also starts the pool-wide delay when both are set', async () => {
    const { manager, pool, clock } = await onePool({
      reuseDelaySeconds: 10,
      scopeReuseDelaySeconds: 100,
    });
    expect(await manager.acquireProxy({ pool, scope: 'a.example' })).not.toBeNull();
    expect(await manager.acquireProxy({ pool, scope: 'b.example' })).toBeNull();
    await clock.advance(10_000);
    expect(await manager.acquireProxy({ pool, scope: 'a.example' })).toBeNull();
    expect(await manager.acquireProxy({ pool, scope: 'b.example' })).not.toBeNull();
    await manager.close();
  });

  it("a sticky session waits out its proxy's delays like any lease", async () => {
    const { manager, pool, clock } = await onePool({
      reuseDelaySeconds: 10,
      scopeReuseDelaySeconds: 100,
    });
    const first = (await manager.acquireProxy({
      pool,
      session: true,
      scope: 'a.example',
    })) as Lease;
    const session = { id: first.session?.id as string };
    await manager.releaseProxy(first, { ok: true });
    expect(await manager.acquireProxy({ pool, session })).toBeNull();
    await clock.advance(10_000);
    expect(await manager.acquireProxy({ pool, session, scope: 'a.example' })).toBeNull();
    const resumed = (await manager.acquireProxy({ pool, session, scope: 'b.example' })) as Lease;
    expect(resumed.session?.id).toBe(session.id);
    await manager.close();
  });

  it("a waiter is woken when the delay ends, by the worker's cooldown recovery", async () => {
    const { manager, pool, prefix, clock } = await onePool({ reuseDelaySeconds: 60 });
    const { name, manager: waiterManager } = await namedManager(ctx, 'delay-waiter', prefix);
    const first = (await manager.acquireProxy({ pool })) as Lease;
    let settled = false;
    const waiting = waiterManager.acquireProxy({ pool, waitMs: 5000 }).finally(() => {
      settled = true;
    });
    await waitForAttempt(ctx, name);
    expect(settled).toBe(false);
    await clock.advance(60_000);
    const recoveredAt = performance.now();
    // What the worker's cooldown-recovery job runs: it lifts the delay and publishes capacity.
    // (Not asserted to be 1: the waiter's second attempt, right after it subscribed, may
    // have come after the advance and lifted it itself.)
    await manager.recoverCooldowns(pool);
    const lease = (await waiting) as Lease;
    expect(lease).not.toBeNull();
    expect(lease.acquiredAt).toBeGreaterThanOrEqual(first.acquiredAt + 60_000);
    // Well before the 1 s lost-wake-up guard: the recovery's message woke it.
    expect(performance.now() - recoveredAt).toBeLessThan(700);
    await waiterManager.close();
    await manager.close();
  });

  it('a waiter retries on its own when the first delay ends (scoped: nobody publishes)', async () => {
    // Real time here, on purpose: what is measured is when the waiter wakes by itself.
    const { manager, pool } = await onePool({ scopeReuseDelaySeconds: 0.3 });
    const first = (await manager.acquireProxy({ pool, scope: 's.example' })) as Lease;
    const started = performance.now();
    const lease = (await manager.acquireProxy({
      pool,
      scope: 's.example',
      waitMs: 5000,
    })) as Lease;
    const waited = performance.now() - started;
    expect(lease).not.toBeNull();
    expect(lease.acquiredAt).toBeGreaterThanOrEqual(first.acquiredAt + 300);
    // The acquire's reply said when the delay ends: woken then, not by the 1 s guard retry.
    expect(waited).toBeLessThan(900);
    await manager.close();
  });

  it('bad values are a ValidationError naming the field, and write nothing', async () => {
    const { manager, pool, prefix } = await onePool({});
    const before = await snapshotKeys(ctx.redis(), prefix);
    for (const [field, value] of [
      ['reuseDelaySeconds', -1],
      ['reuseDelaySeconds', 30 * 24 * 3600 + 1],
      ['reuseDelaySeconds', Number.NaN],
      ['scopeReuseDelaySeconds', '5'],
      ['scopeReuseDelaySeconds', Number.POSITIVE_INFINITY],
      ['defaultMaxConcurrency', 1.5],
      ['defaultMaxConcurrency', -1],
      ['defaultMaxConcurrency', 1_000_001],
    ] as const) {
      const error = await manager
        .upsertPool({ name: pool, selector: 'least-used', [field]: value })
        .catch((e: unknown) => e);
      expect(error, `${field}=${String(value)}`).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(`pool.${field}`);
    }
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
    await manager.close();
  });

  it('the settings read back; 0 or null turns them off, leaving them out keeps them', async () => {
    const { manager, pool } = await onePool({});
    expect(
      await manager.upsertPool({
        name: pool,
        reuseDelaySeconds: 1.5,
        scopeReuseDelaySeconds: 20,
        defaultMaxConcurrency: 4,
      }),
    ).toMatchObject({
      reuseDelaySeconds: 1.5,
      scopeReuseDelaySeconds: 20,
      defaultMaxConcurrency: 4,
    });
    expect(await manager.upsertPool({ name: pool, leaseSeconds: 9 })).toMatchObject({
      reuseDelaySeconds: 1.5,
      scopeReuseDelaySeconds: 20,
      defaultMaxConcurrency: 4,
    });
    const cleared = await manager.upsertPool({
      name: pool,
      reuseDelaySeconds: 0,
      scopeReuseDelaySeconds: null,
      defaultMaxConcurrency: 0,
    });
    expect(cleared.reuseDelaySeconds).toBeUndefined();
    expect(cleared.scopeReuseDelaySeconds).toBeUndefined();
    expect(cleared.defaultMaxConcurrency).toBeUndefined();
    // Off again: the proxy is leased back to back.
    expect(await manager.acquireProxy({ pool })).not.toBeNull();
    expect(await manager.acquireProxy({ pool })).not.toBeNull();
    await manager.close();
  });
});

describeEachTarget('pool default cap (defaultMaxConcurrency)', (ctx) => {
  it('40 callers on 4 connections: capped proxies get the default, own maxConcurrency wins', async () => {
    const { manager, pool, prefix } = await freshPool(ctx, { defaultMaxConcurrency: 2 });
    const urls = proxyUrls(4);
    const added = await manager.addProxies(pool, [
      { url: urls[0] as string },
      { url: urls[1] as string },
      { url: urls[2] as string },
      { url: urls[3] as string, maxConcurrency: 5 },
    ]);
    const managers = await Promise.all(
      Array.from(
        { length: 4 },
        async () => new ProxyManager({ redis: await ctx.newClient(), prefix }),
      ),
    );
    const leases = (
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (managers[i % 4] as ProxyManager).acquireProxy({ pool, consumer: `c${i}` }),
        ),
      )
    ).filter((l): l is Lease => l !== null);
    expect(leases).toHaveLength(3 * 2 + 5);
    const perProxy = new Map<string, number>();
    for (const l of leases) perProxy.set(l.proxyId, (perProxy.get(l.proxyId) ?? 0) + 1);
    expect(added.map((p) => perProxy.get(p.id))).toEqual([2, 2, 2, 5]);
    expect(await manager.getPoolStats(pool)).toMatchObject({
      availableProxies: 0,
      totalLeases: 11,
    });
    await Promise.all(managers.map((m) => m.close()));
    await manager.close();
  });

  it('a lowered default applies to proxies already leased; a raised one once the walk ran', async () => {
    const { manager, pool } = await freshPool(ctx, { selector: 'round-robin' });
    const added = await manager.addProxies(pool, proxyUrls(2));
    const held: Lease[] = [];
    for (let i = 0; i < 4; i++) held.push((await manager.acquireProxy({ pool })) as Lease);
    // Two leases each, no cap: both still available.
    expect((await manager.getPoolStats(pool)).availableProxies).toBe(2);
    await manager.upsertPool({ name: pool, defaultMaxConcurrency: 2 });
    expect((await manager.getPoolStats(pool)).availableProxies).toBe(0);
    expect(await manager.acquireProxy({ pool })).toBeNull();
    await manager.upsertPool({ name: pool, defaultMaxConcurrency: 3 });
    expect((await manager.getPoolStats(pool)).availableProxies).toBe(2);
    const more = [
      (await manager.acquireProxy({ pool })) as Lease,
      (await manager.acquireProxy({ pool })) as Lease,
    ];
    expect(new Set(more.map((l) => l.proxyId))).toEqual(new Set(added.map((p) => p.id)));
    expect(await manager.acquireProxy({ pool })).toBeNull();
    // Cleared: no cap at all.
    await manager.upsertPool({ name: pool, defaultMaxConcurrency: null });
    expect(await manager.acquireProxy({ pool })).not.toBeNull();
    await manager.close();
  });

  it('a stale index entry after a lowered default is never leased past the cap', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    expect(await manager.acquireProxy({ pool })).not.toBeNull();
    // The default written straight into the pool hash, without upsertPool's re-indexing:
    // the proxy is still listed available, at its new cap.
    await ctx.redis().hset(manager.keys.poolKeys(pool).pool, 'defaultMaxConcurrency', 1);
    expect((await manager.getPoolStats(pool)).availableProxies).toBe(1);
    const other = new ProxyManager({ redis: ctx.redis(), prefix });
    expect(await other.acquireProxy({ pool })).toBeNull();
    expect(await other.acquireProxy({ pool, session: true })).toBeNull();
    expect((await manager.getPoolStats(pool)).availableProxies).toBe(0);
    await manager.close();
  });
});
