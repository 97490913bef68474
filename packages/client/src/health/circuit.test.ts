import { LeaseExpiredError } from '@leasehold/core';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

// Cooldowns and rests end by moving the pool's clock, not by sleeping: they can be long
// enough that a slow machine never sees one end early.
useTestClockLibrary();

const fail = { ok: false as const, error: 'network' as const, message: 'ECONNRESET' };

describeEachTarget('circuit breaker and rate limits', (ctx) => {
  /** One proxy pool plus `n` independent workers (own connections). */
  async function workers(n: number, settings: Record<string, unknown> = {}) {
    const fixture = await freshPool(ctx, { failureThreshold: 3, ...settings });
    const [proxy] = await fixture.manager.addProxies(fixture.pool, [proxyUrls(1)[0] as string]);
    const managers = await Promise.all(
      Array.from(
        { length: n },
        async () => new ProxyManager({ redis: await ctx.newClient(), prefix: fixture.prefix }),
      ),
    );
    const clock = TestClock.forPool(ctx.redis(), fixture.manager.keys, fixture.pool);
    return { ...fixture, proxyId: proxy?.id as string, managers, clock };
  }

  it('three failures reported by three different workers open the circuit for everyone', async () => {
    const { pool, proxyId, managers, manager } = await workers(3);
    for (const [i, m] of managers.entries()) {
      const lease = await m.acquireProxy({ pool, consumer: `w${i}` });
      expect(lease?.proxyId).toBe(proxyId);
      await m.releaseProxy(lease as Lease, fail);
    }
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      circuit: 'open',
      consecutiveFailures: 3,
      opens: 1,
    });
    for (const m of managers) expect(await m.acquireProxy({ pool })).toBeNull();
    expect(await manager.getPoolStats(pool)).toMatchObject({
      openCircuits: 1,
      availableProxies: 0,
    });
    const [opened] = await manager.getErrorLog(pool, { proxyId, limit: 1 });
    expect(opened).toMatchObject({
      type: 'transition',
      subject: 'proxy',
      from: 'closed',
      to: 'open',
      reason: 'consecutive_failures',
    });
  });

  it('a success in between resets the streak: failures must be consecutive', async () => {
    const { pool, proxyId, manager } = await workers(1);
    for (const outcome of [fail, fail, { ok: true as const }, fail, fail]) {
      const lease = await manager.acquireProxy({ pool });
      await manager.releaseProxy(lease as Lease, outcome);
    }
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      circuit: 'closed',
      consecutiveFailures: 2,
    });
  });

  it('after the cooldown only one half-open probe is handed out, even to 20 concurrent callers', async () => {
    const { pool, proxyId, managers, manager, clock } = await workers(20, {
      cooldown: { baseSeconds: 10, maxSeconds: 100 },
    });
    for (let i = 0; i < 3; i++)
      await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    await clock.advance(10_000);
    const leases = await Promise.all(managers.map((m) => m.acquireProxy({ pool })));
    const probes = leases.filter((l) => l !== null);
    expect(probes).toHaveLength(1);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      circuit: 'half-open',
      probeInFlight: true,
    });
    // The probe succeeds: closed for everyone, streak and doubling reset.
    await manager.releaseProxy(probes[0] as Lease, { ok: true, latencyMs: 50 });
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      circuit: 'closed',
      consecutiveFailures: 0,
      opens: 0,
    });
    const again = await Promise.all(managers.slice(0, 5).map((m) => m.acquireProxy({ pool })));
    expect(again.every((l) => l !== null)).toBe(true);
  });

  it('a probe released without an outcome frees the probe slot; an expired probe does too', async () => {
    const { pool, proxyId, manager, clock } = await workers(1, {
      cooldown: { baseSeconds: 5, maxSeconds: 100 },
    });
    for (let i = 0; i < 3; i++)
      await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    await clock.advance(5_000);
    const probe = await manager.acquireProxy({ pool });
    expect(await manager.acquireProxy({ pool })).toBeNull();
    await manager.releaseProxy(probe as Lease);
    const second = await manager.acquireProxy({ pool, durationSeconds: 5 });
    expect(second?.proxyId).toBe(proxyId);
    await clock.advance(5_000);
    expect((await manager.acquireProxy({ pool }))?.proxyId).toBe(proxyId);
    expect((await manager.getProxyState(pool, proxyId)).circuit).toBe('half-open');
  });

  it('a failed probe reopens with a doubled cooldown, capped', async () => {
    const { pool, proxyId, manager, clock } = await workers(1, {
      cooldown: { baseSeconds: 10, maxSeconds: 40 },
    });
    for (let i = 0; i < 3; i++)
      await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    const cooldowns: number[] = [];
    for (let round = 0; round < 4; round++) {
      const state = await manager.getProxyState(pool, proxyId);
      expect(state.circuit).toBe('open');
      const [opened] = await manager.getErrorLog(pool, { proxyId, limit: 1 });
      expect(opened?.to).toBe('open');
      cooldowns.push((state.cooldownUntil as number) - (opened?.at as number));
      await clock.advance(cooldowns[round] as number);
      const probe = await manager.acquireProxy({ pool });
      expect(probe?.proxyId).toBe(proxyId);
      await manager.releaseProxy(probe as Lease, fail);
    }
    expect(cooldowns).toEqual([10_000, 20_000, 40_000, 40_000]);
    expect((await manager.getProxyState(pool, proxyId)).opens).toBe(5);
  });

  it('full jitter keeps the cooldown within [0, base·2^n]', async () => {
    const { pool, proxyId, manager } = await workers(1, {
      cooldown: { baseSeconds: 10, maxSeconds: 100, jitter: true },
    });
    for (let i = 0; i < 3; i++)
      await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    const state = await manager.getProxyState(pool, proxyId);
    const [opened] = await manager.getErrorLog(pool, { proxyId, limit: 1 });
    const cooldown = (state.cooldownUntil as number) - (opened?.at as number);
    expect(cooldown).toBeGreaterThanOrEqual(1);
    expect(cooldown).toBeLessThanOrEqual(10_000);
  });

  it('disableAfterOpens turns a proxy disabled for good after that many openings in a row', async () => {
    const { pool, proxyId, manager, clock } = await workers(1, {
      failureThreshold: 1,
      disableAfterOpens: 2,
      cooldown: { baseSeconds: 5, maxSeconds: 100 },
    });
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    await clock.advance(5_000);
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      status: 'disabled',
      opens: 2,
    });
    await clock.advance(20_000);
    expect(await manager.acquireProxy({ pool })).toBeNull();
    expect(await manager.getPoolStats(pool)).toMatchObject({ activeProxies: 0 });
    const [disabled] = await manager.getErrorLog(pool, { proxyId, limit: 1 });
    expect(disabled).toMatchObject({
      type: 'transition',
      from: 'active',
      to: 'disabled',
      reason: 'circuit_opened_2_times',
    });
  });

  it('429 with Retry-After rests the proxy exactly that long and leaves the failure count alone', async () => {
    const { pool, proxyId, manager } = await workers(1);
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, {
      ok: false,
      error: 'rate_limit',
      statusCode: 429,
      retryAfterMs: 30_000,
    });
    const state = await manager.getProxyState(pool, proxyId);
    const [entry] = await manager.getErrorLog(pool, { proxyId, limit: 1 });
    expect(entry).toMatchObject({ type: 'failure', category: 'rate_limit', statusCode: 429 });
    expect(state.rateLimitedUntil).toBe((entry?.at as number) + 30_000);
    expect(state).toMatchObject({ circuit: 'closed', consecutiveFailures: 1 });
    expect(await manager.acquireProxy({ pool })).toBeNull();
    expect((await manager.getProxyHealth(pool, proxyId)).rateLimits).toBe(1);
  });

  it('a rest without Retry-After doubles with each 429 in a row and lifts by itself', async () => {
    const { pool, proxyId, manager, clock } = await workers(1, {
      cooldown: { baseSeconds: 5, maxSeconds: 100 },
    });
    const rests: number[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await clock.advance(rests[i - 1] as number);
      const lease = await manager.acquireProxy({ pool });
      expect(lease).not.toBeNull();
      await manager.releaseProxy(lease as Lease, {
        ok: false,
        error: 'rate_limit',
        statusCode: 429,
      });
      const [entry] = await manager.getErrorLog(pool, { proxyId, limit: 1 });
      rests.push(
        ((await manager.getProxyState(pool, proxyId)).rateLimitedUntil as number) -
          (entry?.at as number),
      );
    }
    expect(rests).toEqual([5_000, 10_000, 20_000]);
    await clock.advance(20_000);
    expect(await manager.recoverCooldowns(pool)).toBe(1);
    expect((await manager.getProxyState(pool, proxyId)).rateLimitedUntil).toBeNull();
    expect(await manager.acquireProxy({ pool })).not.toBeNull();
  });

  it('a scope ban rests the proxy for that scope only', async () => {
    const { pool, manager } = await freshPool(ctx);
    const [a, b] = await manager.addProxies(pool, proxyUrls(2));
    const lease = await manager.acquireProxy({
      pool,
      scope: 'shop.example',
      selector: 'first-available',
    });
    expect(lease?.proxyId).toBe(a?.id);
    await manager.releaseProxy(lease as Lease, { ok: false, error: 'blocked', statusCode: 403 });
    // shop.example now only gets b; other scopes and unscoped leases still get a.
    for (let i = 0; i < 3; i++) {
      const l = await manager.acquireProxy({
        pool,
        scope: 'shop.example',
        selector: 'first-available',
      });
      expect(l?.proxyId).toBe(b?.id);
      await manager.releaseProxy(l as Lease);
    }
    expect(
      (await manager.acquireProxy({ pool, scope: 'news.example', selector: 'first-available' }))
        ?.proxyId,
    ).toBe(a?.id);
    expect((await manager.acquireProxy({ pool, selector: 'first-available' }))?.proxyId).toBe(
      a?.id,
    );
    // A scoped block is not a circuit failure.
    expect(await manager.getProxyState(pool, a?.id as string)).toMatchObject({
      circuit: 'closed',
      consecutiveFailures: 0,
    });
    // The rest key expires by itself.
    expect(await ctx.redis().pttl(manager.keys.scopeRest(pool, 'shop.example'))).toBeGreaterThan(0);
  });

  it('a scoped 429 rests only that scope; scopeMaxConcurrency caps leases per proxy per scope', async () => {
    const { pool, manager } = await freshPool(ctx, { scopeMaxConcurrency: 1 });
    const [a] = await manager.addProxies(pool, proxyUrls(1));
    const x = await manager.acquireProxy({ pool, scope: 'x.example' });
    expect(await manager.acquireProxy({ pool, scope: 'x.example' })).toBeNull();
    const y = await manager.acquireProxy({ pool, scope: 'y.example' });
    expect(y?.proxyId).toBe(a?.id);
    await manager.releaseProxy(x as Lease, {
      ok: false,
      error: 'rate_limit',
      statusCode: 429,
      retryAfterMs: 60_000,
    });
    expect(await manager.acquireProxy({ pool, scope: 'x.example' })).toBeNull();
    await manager.releaseProxy(y as Lease);
    expect((await manager.acquireProxy({ pool, scope: 'y.example' }))?.proxyId).toBe(a?.id);
    expect((await manager.getProxyState(pool, a?.id as string)).rateLimitedUntil).toBeNull();
  });

  it('recordResult counts toward health without releasing; fails once the lease is gone', async () => {
    const { pool, proxyId, manager, clock } = await workers(1);
    const lease = (await manager.acquireProxy({ pool, durationSeconds: 10 })) as Lease;
    await manager.recordResult(lease, { ok: true, latencyMs: 40 });
    await manager.recordResult(lease, { ok: true, latencyMs: 60 });
    await manager.recordResult(lease, fail);
    const health = await manager.getProxyHealth(pool, proxyId);
    expect(health).toMatchObject({
      requests: 3,
      successes: 2,
      failures: 1,
      failuresByCategory: { network: 1 },
    });
    expect(health.latency).toEqual({ samples: 2, meanMs: 50, p50Ms: 50, p95Ms: 100 });
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
    await clock.advance(10_000);
    await expect(manager.recordResult(lease, fail)).rejects.toBeInstanceOf(LeaseExpiredError);
  });
});
