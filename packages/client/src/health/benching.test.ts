import { ValidationError } from '@leasehold/core';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

// Bench rests end by moving the pool's clock, never by sleeping.
useTestClockLibrary();

const fail = { ok: false as const, error: 'network' as const, message: 'ECONNRESET' };
const BASE_MS = 10_000;

describeEachTarget('minHealthScore: benching and the probe lease', (ctx) => {
  /** One proxy, a circuit that never opens first (so only the bench is at work). */
  async function benchPool(settings: Record<string, unknown> = {}) {
    const fixture = await freshPool(ctx, {
      failureThreshold: 50,
      minHealthScore: 0.5,
      cooldown: { baseSeconds: BASE_MS / 1000, maxSeconds: 1000 },
      ...settings,
    });
    const [proxy] = await fixture.manager.addProxies(fixture.pool, [
      { url: proxyUrls(1)[0] as string, maxConcurrency: 3 },
    ]);
    const clock = TestClock.forPool(ctx.redis(), fixture.manager.keys, fixture.pool);
    return { ...fixture, proxyId: proxy?.id as string, clock };
  }

  async function lastTransition(
    manager: Awaited<ReturnType<typeof benchPool>>['manager'],
    pool: string,
  ) {
    const entries = await manager.getErrorLog(pool, { limit: 20 });
    return entries.find((e) => e.type === 'transition');
  }

  it('a failure that drops the score below the minimum benches the proxy; it comes back through one probe lease', async () => {
    const { manager, pool, proxyId, clock } = await benchPool();
    // One failure from a fresh record: 0.6·(1/3) + 0.2·0 + 0.2·0.5 = 0.3 < 0.5.
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    const benched = await manager.getProxyState(pool, proxyId);
    expect(benched).toMatchObject({
      circuit: 'closed',
      benched: true,
      benchReason: 'health_below_minimum',
    });
    const entered = await lastTransition(manager, pool);
    expect(entered).toMatchObject({ subject: 'proxy', from: 'in_rotation', to: 'benched' });
    expect(benched.benchedUntil).toBe((entered?.at as number) + BASE_MS);
    expect(await manager.acquireProxy({ pool })).toBeNull();
    expect(await manager.getPoolStats(pool)).toMatchObject({ availableProxies: 0 });

    // Not early (the test clock runs on from real time: a second of margin).
    await clock.advance(BASE_MS - 1000);
    expect(await manager.acquireProxy({ pool })).toBeNull();
    await clock.advance(1000);
    const probe = await manager.acquireProxy({ pool });
    expect(probe?.proxyId).toBe(proxyId);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      benched: true,
      benchedUntil: null,
      probeInFlight: true,
    });
    // One probe at a time, though the proxy's cap is 3.
    expect(await manager.acquireProxy({ pool })).toBeNull();

    await manager.releaseProxy(probe as Lease, { ok: true, latencyMs: 100 });
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      benched: false,
      benchReason: null,
      probeInFlight: false,
    });
    expect(await lastTransition(manager, pool)).toMatchObject({
      from: 'bench_probe',
      to: 'in_rotation',
      reason: 'probe_succeeded',
    });
    const back = await manager.acquireProxy({ pool });
    expect(back?.proxyId).toBe(proxyId);
  });

  it('a failed probe benches it again for twice as long', async () => {
    const { manager, pool, proxyId, clock } = await benchPool();
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    await clock.advance(BASE_MS);
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    const state = await manager.getProxyState(pool, proxyId);
    const again = await lastTransition(manager, pool);
    expect(again).toMatchObject({ from: 'bench_probe', to: 'benched', reason: 'probe_failed' });
    expect(state).toMatchObject({
      benched: true,
      benchReason: 'probe_failed',
      probeInFlight: false,
    });
    expect(state.benchedUntil).toBe((again?.at as number) + 2 * BASE_MS);
    await clock.advance(2 * BASE_MS - 1000);
    expect(await manager.acquireProxy({ pool })).toBeNull();
    await clock.advance(1000);
    expect((await manager.acquireProxy({ pool }))?.proxyId).toBe(proxyId);
  });

  it('verdicts: leases granted before a bench change never move it; only the probe decides', async () => {
    const { manager, pool, proxyId, clock } = await benchPool();
    const first = (await manager.acquireProxy({ pool })) as Lease;
    const straggler = (await manager.acquireProxy({ pool })) as Lease;
    await manager.releaseProxy(first, fail);
    const { benchedUntil } = await manager.getProxyState(pool, proxyId);
    expect(benchedUntil).not.toBeNull();

    // A failure of a lease from before the bench: counted in health, the rest unchanged.
    await manager.recordResult(straggler, fail);
    expect(await manager.getProxyHealth(pool, proxyId)).toMatchObject({ failures: 2 });
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ benchedUntil });

    await clock.advance(BASE_MS);
    const probe = (await manager.acquireProxy({ pool })) as Lease;
    // The straggler's success is not the probe's: still benched, the probe still out.
    await manager.releaseProxy(straggler, { ok: true });
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      benched: true,
      probeInFlight: true,
    });
    await manager.releaseProxy(probe, { ok: true });
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ benched: false });
  });

  it('a probe lease that ends without an outcome lets the next caller probe', async () => {
    const { manager, pool, proxyId, clock } = await benchPool();
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    await clock.advance(BASE_MS);
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      benched: true,
      probeInFlight: false,
    });
    expect((await manager.acquireProxy({ pool }))?.proxyId).toBe(proxyId);
  });

  it('rate limits never bench, and with minHealthScore 0 (the default) failures never do', async () => {
    const { manager, pool, proxyId } = await benchPool();
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, {
      ok: false,
      error: 'rate_limit',
      statusCode: 429,
      retryAfterMs: 1,
    });
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ benched: false });

    const off = await benchPool({ minHealthScore: undefined });
    expect(await off.manager.getPool(off.pool)).toMatchObject({ minHealthScore: 0 });
    for (let i = 0; i < 5; i++)
      await off.manager.releaseProxy(
        (await off.manager.acquireProxy({ pool: off.pool })) as Lease,
        fail,
      );
    expect(await off.manager.getProxyState(off.pool, off.proxyId)).toMatchObject({
      benched: false,
    });
    expect((await off.manager.acquireProxy({ pool: off.pool }))?.proxyId).toBe(off.proxyId);
  });

  it('turning minHealthScore off (0) takes every benched proxy off the bench at once (logged)', async () => {
    const { manager, pool, proxyId, clock } = await benchPool();
    const [second] = await manager.addProxies(pool, [{ url: proxyUrls(1, 1)[0] as string }]);
    const secondId = second?.id as string;
    // The second is benched first and waits for its probe; the first still rests.
    await manager.releaseProxy(
      (await manager.acquireProxy({ pool, filters: { exclude: [proxyId] } })) as Lease,
      fail,
    );
    await clock.advance(BASE_MS);
    await manager.recoverCooldowns(pool);
    await manager.releaseProxy(
      (await manager.acquireProxy({ pool, filters: { exclude: [secondId] } })) as Lease,
      fail,
    );
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ benched: true });
    expect(await manager.getProxyState(pool, secondId)).toMatchObject({
      benched: true,
      benchedUntil: null,
    });

    await manager.upsertPool({ name: pool, minHealthScore: 0 });
    for (const id of [proxyId, secondId])
      expect(await manager.getProxyState(pool, id)).toMatchObject({
        benched: false,
        benchReason: null,
        benchedUntil: null,
      });
    const lifted = (await manager.getErrorLog(pool, { limit: 10 })).filter(
      (e) => e.type === 'transition' && e.reason === 'bench_off',
    );
    expect(lifted.map((e) => [e.proxyId, e.from, e.to]).sort()).toEqual(
      [
        [proxyId, 'benched', 'in_rotation'],
        [secondId, 'bench_probe', 'in_rotation'],
      ].sort(),
    );
    // Both serve three leases at once again, not one probe lease at a time.
    const leases: (Lease | null)[] = [];
    for (const id of [proxyId, secondId, proxyId, secondId, proxyId, secondId])
      leases.push(await manager.acquireProxy({ pool, filters: { exclude: [id] } }));
    expect(leases.map((l) => l?.proxyId)).toEqual([1, 2, 3].flatMap(() => [secondId, proxyId]));
    for (const lease of leases) await manager.releaseProxy(lease as Lease, fail);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ benched: false });
  });

  it('a reset or a re-enable takes a proxy off the bench (logged)', async () => {
    const { manager, pool, proxyId } = await benchPool();
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    await manager.resetProxy(pool, proxyId, 'operator');
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ benched: false });
    const entries = await manager.getErrorLog(pool, { limit: 5 });
    expect(entries.some((e) => e.from === 'benched' && e.to === 'in_rotation')).toBe(true);

    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, fail);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ benched: true });
    await manager.transitionProxyState(pool, proxyId, 'disabled', 'maintenance');
    await manager.transitionProxyState(pool, proxyId, 'active', 'maintenance_done');
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ benched: false });
    expect((await manager.acquireProxy({ pool }))?.proxyId).toBe(proxyId);
  });

  it('validates minHealthScore and healthCheck at the boundary, writing nothing', async () => {
    const { manager, pool } = await freshPool(ctx);
    for (const [settings, field] of [
      [{ minHealthScore: 1.5 }, 'minHealthScore'],
      [{ minHealthScore: -0.1 }, 'minHealthScore'],
      [{ healthCheck: { url: 'ftp://example.com/' } }, 'healthCheck.url'],
      [{ healthCheck: { url: 'http://' } }, 'healthCheck.url'],
      [
        { healthCheck: { url: 'https://example.com/', intervalSeconds: 0 } },
        'healthCheck.intervalSeconds',
      ],
      [
        { healthCheck: { url: 'https://example.com/', intervalSeconds: 5, timeoutSeconds: 10 } },
        'healthCheck.timeoutSeconds',
      ],
      [{ healthCheck: { url: 'https://example.com/', extra: 1 } }, 'healthCheck'],
    ] as const) {
      const error = await manager
        .upsertPool({ name: pool, ...(settings as object) })
        .catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field, field).toContain(field);
    }
    expect(await manager.getPool(pool)).toMatchObject({ minHealthScore: 0 });
    expect((await manager.getPool(pool))?.healthCheck).toBeUndefined();

    await manager.upsertPool({ name: pool, healthCheck: { url: 'https://example.com/ok' } });
    expect((await manager.getPool(pool))?.healthCheck).toEqual({
      url: 'https://example.com/ok',
      intervalSeconds: 60,
      timeoutSeconds: 10,
    });
    // Other settings keep it; null clears it.
    await manager.upsertPool({ name: pool, minHealthScore: 0.25 });
    expect(await manager.getPool(pool)).toMatchObject({
      minHealthScore: 0.25,
      healthCheck: { url: 'https://example.com/ok' },
    });
    await manager.upsertPool({ name: pool, healthCheck: null });
    expect((await manager.getPool(pool))?.healthCheck).toBeUndefined();
  });
});
