import {
  ProxyNotFoundError,
  SessionDisabledError,
  SessionNotFoundError,
  SessionProxyUnavailableError,
  ValidationError,
} from '@leasehold/core';
import {
  describeEachTarget,
  must,
  rejection,
  TestClock,
  useTestClockLibrary,
} from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls, snapshotKeys } from '../../test/testSupport.js';
import type { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

// Cooldowns and expiries are reached by moving the pool's clock, not by sleeping.
useTestClockLibrary();
const fail = { ok: false as const, error: 'network' as const, message: 'ECONNRESET' };

/** Lease and release with `outcome`, `times` times in a row. */
async function outcomes(
  manager: ProxyManager,
  pool: string,
  outcome: Parameters<ProxyManager['releaseProxy']>[1],
  times = 1,
): Promise<Lease[]> {
  const leases: Lease[] = [];
  for (let i = 0; i < times; i++) {
    const lease = must(await manager.acquireProxy({ pool }));
    leases.push(lease);
    await manager.releaseProxy(lease, outcome);
  }
  return leases;
}

describeEachTarget('transitions', (ctx) => {
  it('disabling a proxy takes it out of rotation until it is enabled again', async () => {
    const { manager, pool } = await freshPool(ctx);
    const [proxy] = await manager.addProxies(pool, proxyUrls(1));
    const id = must(proxy).id;
    const held = must(await manager.acquireProxy({ pool }));
    expect(await manager.transitionProxyState(pool, id, 'disabled', 'maintenance')).toBe(true);
    expect(await manager.getProxyState(pool, id)).toMatchObject({
      status: 'disabled',
      activeLeases: 1,
    });
    expect(await manager.getPoolStats(pool)).toMatchObject({
      totalProxies: 1,
      activeProxies: 0,
      availableProxies: 0,
    });
    // A live lease stays valid and is released normally; the proxy still is not handed out.
    expect(await manager.releaseProxy(held)).toEqual({ released: true });
    for (const selector of [
      'first-available',
      'round-robin',
      'least-used',
      'healthiest',
      'lowest-latency',
      'weighted-random',
    ] as const) {
      expect(await manager.acquireProxy({ pool, selector })).toBeNull();
    }
    expect((await manager.getProxyHealth(pool, id)).score).toBe(0);
    expect((await manager.listProxies(pool))[0]?.status).toBe('disabled');
    // Repeating is a no-op that says so, and writes no second log entry.
    expect(await manager.transitionProxyState(pool, id, 'disabled', 'maintenance')).toBe(false);
    const log = await manager.getErrorLog(pool, { proxyId: id });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      type: 'transition',
      subject: 'proxy',
      proxyId: id,
      from: 'active',
      to: 'disabled',
      reason: 'maintenance',
    });

    expect(await manager.transitionProxyState(pool, id, 'active', 'back')).toBe(true);
    expect(await manager.transitionProxyState(pool, id, 'active', 'back')).toBe(false);
    expect(await manager.getProxyState(pool, id)).toMatchObject({
      status: 'active',
      circuit: 'closed',
    });
    expect(await manager.getPoolStats(pool)).toMatchObject({
      activeProxies: 1,
      availableProxies: 1,
    });
    expect((await manager.acquireProxy({ pool }))?.proxyId).toBe(id);
    const [enabled] = await manager.getErrorLog(pool, { proxyId: id, limit: 1 });
    expect(enabled).toMatchObject({
      subject: 'proxy',
      from: 'disabled',
      to: 'active',
      reason: 'back',
    });
  });

  it('a disabled proxy stays out even after its cooldown; enabling it closes its circuit', async () => {
    const { manager, pool } = await freshPool(ctx, {
      failureThreshold: 2,
      cooldown: { baseSeconds: 5, maxSeconds: 10 },
    });
    const [a, b] = await manager.addProxies(pool, proxyUrls(2));
    const aId = must(a).id;
    for (let i = 0; i < 2; i++)
      await manager.releaseProxy(
        must(await manager.acquireProxy({ pool, filters: { exclude: [must(b).id] } })),
        fail,
      );
    expect(await manager.getProxyState(pool, aId)).toMatchObject({ circuit: 'open', opens: 1 });
    expect(await manager.transitionProxyState(pool, aId, 'disabled', 'flaky')).toBe(true);
    await TestClock.forPool(ctx.redis(), manager.keys, pool).advance(12_000);
    expect(await manager.recoverCooldowns(pool)).toBe(0);
    expect(await manager.acquireProxy({ pool, filters: { exclude: [must(b).id] } })).toBeNull();
    expect((await manager.getProxyState(pool, aId)).status).toBe('disabled');
    expect(await manager.transitionProxyState(pool, aId, 'active', 'fixed')).toBe(true);
    expect(await manager.getProxyState(pool, aId)).toMatchObject({
      status: 'active',
      circuit: 'closed',
      consecutiveFailures: 0,
      opens: 0,
      cooldownUntil: null,
    });
    expect(await manager.getPoolStats(pool)).toMatchObject({
      activeProxies: 2,
      availableProxies: 2,
      openCircuits: 0,
    });
    const [closed, enabled] = await manager.getErrorLog(pool, { proxyId: aId, limit: 2 });
    expect(enabled).toMatchObject({ from: 'disabled', to: 'active', reason: 'fixed' });
    expect(closed).toMatchObject({ subject: 'proxy', from: 'open', to: 'closed', reason: 'fixed' });
    expect(
      (await manager.acquireProxy({ pool, filters: { exclude: [must(b).id] } }))?.proxyId,
    ).toBe(aId);
  });

  it('transitioning or resetting an unknown proxy throws ProxyNotFoundError', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    await expect(
      manager.transitionProxyState(pool, '0123456789abcdef', 'disabled', 'x'),
    ).rejects.toBeInstanceOf(ProxyNotFoundError);
    await expect(manager.resetProxy(pool, '0123456789abcdef')).rejects.toBeInstanceOf(
      ProxyNotFoundError,
    );
    expect(await manager.getErrorLog(pool)).toEqual([]);
  });

  it('transitionSessionState disables and re-enables a session', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(2));
    const lease = must(await manager.acquireProxy({ pool, session: true }));
    const sid = must(lease.session).id;
    await manager.releaseProxy(lease, { ok: false, error: 'timeout', sessionData: 'k=v' });
    expect(await manager.transitionSessionState(pool, sid, 'disabled', 'manual')).toBe(true);
    expect(await manager.transitionSessionState(pool, sid, 'disabled', 'manual')).toBe(false);
    expect(await manager.getSessionState(pool, sid)).toMatchObject({
      status: 'disabled',
      disabledReason: 'manual',
    });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(0);
    const error = await rejection(manager.acquireProxy({ pool, session: { id: sid } }));
    expect(error).toBeInstanceOf(SessionDisabledError);
    expect(error).toMatchObject({ reason: 'manual' });

    expect(await manager.transitionSessionState(pool, sid, 'active', 'fixed')).toBe(true);
    expect(await manager.transitionSessionState(pool, sid, 'active', 'fixed')).toBe(false);
    expect(await manager.getSessionState(pool, sid)).toMatchObject({
      status: 'active',
      disabledReason: null,
      consecutiveFailures: 0,
      data: 'k=v',
      proxyId: lease.proxyId,
    });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(1);
    const resumed = must(await manager.acquireProxy({ pool, session: { id: sid } }));
    expect(resumed.proxyId).toBe(lease.proxyId);
    expect(resumed.session).toEqual({ id: sid, data: 'k=v' });

    const log = await manager.getErrorLog(pool, { sessionId: sid });
    expect(log.map((e) => [e.type, e.subject, e.from, e.to, e.reason])).toEqual([
      ['transition', 'session', 'disabled', 'active', 'fixed'],
      ['transition', 'session', 'active', 'disabled', 'manual'],
      ['failure', undefined, undefined, undefined, undefined],
    ]);
    expect(log.every((e) => e.proxyId === lease.proxyId && e.sessionId === sid)).toBe(true);
    await expect(
      manager.transitionSessionState(pool, 'no-such-session', 'disabled', 'x'),
    ).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('re-enabling a session is refused while its proxy is disabled or gone', async () => {
    const { manager, pool } = await freshPool(ctx);
    const [a, b] = await manager.addProxies(pool, proxyUrls(2));
    const s1 = must(
      await manager.acquireProxy({ pool, session: true, filters: { exclude: [must(b).id] } }),
    );
    const s2 = must(
      await manager.acquireProxy({ pool, session: true, filters: { exclude: [must(a).id] } }),
    );
    await manager.releaseProxy(s1);
    await manager.releaseProxy(s2);
    const sid1 = must(s1.session).id;
    const sid2 = must(s2.session).id;

    await manager.transitionProxyState(pool, must(a).id, 'disabled', 'maintenance');
    const refused = await rejection(manager.transitionSessionState(pool, sid1, 'active', 'retry'));
    expect(refused).toBeInstanceOf(SessionProxyUnavailableError);
    expect(refused).toMatchObject({ code: 'SESSION_PROXY_UNAVAILABLE' });
    expect(await manager.getSessionState(pool, sid1)).toMatchObject({
      status: 'disabled',
      disabledReason: 'proxy_disabled',
    });
    await manager.transitionProxyState(pool, must(a).id, 'active', 'maintenance over');
    expect(await manager.transitionSessionState(pool, sid1, 'active', 'retry')).toBe(true);
    expect((await manager.acquireProxy({ pool, session: { id: sid1 } }))?.proxyId).toBe(must(a).id);

    // A removed proxy takes its sessions with it for good.
    await manager.removeProxy(pool, must(b).id);
    expect(await manager.getSessionState(pool, sid2)).toMatchObject({
      status: 'disabled',
      disabledReason: 'proxy_removed',
    });
    await expect(
      manager.transitionSessionState(pool, sid2, 'active', 'retry'),
    ).rejects.toBeInstanceOf(SessionProxyUnavailableError);
  });

  it('resetProxy clears health counters and closes an open circuit', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 2 });
    const [proxy] = await manager.addProxies(pool, proxyUrls(1));
    const id = must(proxy).id;
    await outcomes(manager, pool, { ok: true, latencyMs: 40 });
    await outcomes(manager, pool, { ...fail, latencyMs: 300 }, 2);
    expect(await manager.getProxyHealth(pool, id)).toMatchObject({
      requests: 3,
      failures: 2,
      circuit: 'open',
    });
    expect(await manager.getPoolStats(pool)).toMatchObject({
      openCircuits: 1,
      availableProxies: 0,
    });
    expect(await manager.acquireProxy({ pool })).toBeNull();

    await manager.resetProxy(pool, id);
    const health = await manager.getProxyHealth(pool, id);
    expect(health).toMatchObject({
      status: 'active',
      circuit: 'closed',
      requests: 0,
      successes: 0,
      failures: 0,
      failuresByCategory: {},
      rateLimits: 0,
      consecutiveFailures: 0,
      successRate: null,
      latency: { samples: 0, meanMs: null, p50Ms: null, p95Ms: null },
      lastSuccessAt: null,
      lastFailureAt: null,
    });
    expect(await manager.getProxyState(pool, id)).toMatchObject({
      circuit: 'closed',
      opens: 0,
      cooldownUntil: null,
      rateLimitedUntil: null,
    });
    expect(await manager.getPoolStats(pool)).toMatchObject({
      openCircuits: 0,
      availableProxies: 1,
    });
    const [resetEntry, closedEntry] = await manager.getErrorLog(pool, { proxyId: id, limit: 2 });
    expect(resetEntry).toMatchObject({
      type: 'transition',
      subject: 'proxy',
      from: 'health',
      to: 'reset',
      reason: 'manual_reset',
    });
    expect(closedEntry).toMatchObject({ from: 'open', to: 'closed', reason: 'manual_reset' });
    // Fresh start: it takes failureThreshold new failures to open again.
    await outcomes(manager, pool, fail);
    expect(await manager.getProxyState(pool, id)).toMatchObject({
      circuit: 'closed',
      consecutiveFailures: 1,
    });
  });

  it('resetProxy lifts a rate-limit rest and keeps the status', async () => {
    const { manager, pool } = await freshPool(ctx);
    const [a, b] = await manager.addProxies(pool, proxyUrls(2));
    const aId = must(a).id;
    const onA = { pool, filters: { exclude: [must(b).id] } };
    await manager.releaseProxy(must(await manager.acquireProxy(onA)), {
      ok: false,
      error: 'rate_limit',
      statusCode: 429,
      retryAfterMs: 60_000,
    });
    expect(await manager.acquireProxy(onA)).toBeNull();
    await manager.resetProxy(pool, aId, 'operator');
    expect((await manager.getProxyHealth(pool, aId)).rateLimits).toBe(0);
    expect((await manager.getProxyState(pool, aId)).rateLimitedUntil).toBeNull();
    const lease = must(await manager.acquireProxy(onA));
    expect(lease.proxyId).toBe(aId);
    await manager.releaseProxy(lease);

    await manager.transitionProxyState(pool, aId, 'disabled', 'off');
    await manager.resetProxy(pool, aId);
    expect((await manager.getProxyState(pool, aId)).status).toBe('disabled');
    expect(await manager.acquireProxy(onA)).toBeNull();
  });
});

describeEachTarget('error log', (ctx) => {
  it('each failure outcome writes a full entry, newest first', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 10 });
    const [proxy] = await manager.addProxies(pool, proxyUrls(1));
    const id = must(proxy).id;
    const before = Date.now();
    const plain = must(await manager.acquireProxy({ pool, consumer: 'worker-7' }));
    await manager.releaseProxy(plain, {
      ok: false,
      error: 'server',
      statusCode: 502,
      message: 'Bad Gateway',
      latencyMs: 123,
    });
    const withSession = must(
      await manager.acquireProxy({ pool, consumer: 'worker-8', session: true }),
    );
    await manager.recordResult(withSession, { ok: false, error: 'timeout', message: 'slow' });
    await manager.releaseProxy(withSession, { ok: true });
    const log = await manager.getErrorLog(pool);
    expect(log).toHaveLength(2);
    const [newest, oldest] = log;
    expect(oldest).toEqual({
      id: expect.any(String),
      type: 'failure',
      at: expect.any(Number),
      pool,
      proxyId: id,
      leaseId: plain.id,
      consumer: 'worker-7',
      category: 'server',
      statusCode: 502,
      message: 'Bad Gateway',
      latencyMs: 123,
    });
    expect(newest).toEqual({
      id: expect.any(String),
      type: 'failure',
      at: expect.any(Number),
      pool,
      proxyId: id,
      leaseId: withSession.id,
      consumer: 'worker-8',
      sessionId: withSession.session?.id,
      category: 'timeout',
      message: 'slow',
    });
    // Server epoch ms, in order.
    for (const entry of log) {
      expect(Number.isInteger(entry.at)).toBe(true);
      expect(Math.abs(entry.at - before)).toBeLessThan(5_000);
    }
    expect(must(newest).at).toBeGreaterThanOrEqual(must(oldest).at);
  });

  it('circuit openings are logged as proxy transitions after the failures that caused them', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 3 });
    const [proxy] = await manager.addProxies(pool, proxyUrls(1));
    const id = must(proxy).id;
    await outcomes(manager, pool, fail, 3);
    const log = await manager.getErrorLog(pool);
    expect(log.map((e) => e.type)).toEqual(['transition', 'failure', 'failure', 'failure']);
    expect(log[0]).toMatchObject({
      type: 'transition',
      subject: 'proxy',
      proxyId: id,
      from: 'closed',
      to: 'open',
      reason: 'consecutive_failures',
    });
    expect(log[0]?.sessionId).toBeUndefined();
    expect(log.slice(1).every((e) => e.category === 'network' && e.message === 'ECONNRESET')).toBe(
      true,
    );
  });

  it('an expired lease that is reclaimed is logged with its consumer', async () => {
    const { manager, pool } = await freshPool(ctx);
    const clock = TestClock.forPool(ctx.redis(), manager.keys, pool);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const sleepy = must(
      await manager.acquireProxy({ pool, consumer: 'sleepy', durationSeconds: 10 }),
    );
    await clock.advance(10_000);
    expect(await manager.cleanupExpiredLeases(pool)).toBe(1);
    const [entry] = await manager.getErrorLog(pool);
    expect(entry).toMatchObject({
      type: 'lease_expired',
      consumer: 'sleepy',
      proxyId: sleepy.proxyId,
      leaseId: sleepy.id,
    });

    // Reclaimed lazily inside acquire too, with the session it held.
    const withSession = must(
      await manager.acquireProxy({
        pool,
        consumer: 'dozy',
        durationSeconds: 10,
        session: true,
      }),
    );
    await clock.advance(10_000);
    const next = must(await manager.acquireProxy({ pool, consumer: 'next' }));
    const [lazy] = await manager.getErrorLog(pool, { limit: 1 });
    expect(lazy).toMatchObject({
      type: 'lease_expired',
      consumer: 'dozy',
      leaseId: withSession.id,
      sessionId: withSession.session?.id,
    });
    expect(await manager.getErrorLog(pool, { sessionId: withSession.session?.id })).toHaveLength(1);
    expect(await manager.getErrorLog(pool)).toHaveLength(2);

    await manager.releaseProxy(next);
    // And when the late holder releases before any sweep did.
    const late = must(await manager.acquireProxy({ pool, consumer: 'late', durationSeconds: 10 }));
    await clock.advance(10_000);
    expect(await manager.releaseProxy(late)).toEqual({ released: false, reason: 'expired' });
    const [released] = await manager.getErrorLog(pool, { limit: 1 });
    expect(released).toMatchObject({ type: 'lease_expired', consumer: 'late', leaseId: late.id });
  });

  it('filters by proxyId and sessionId; limit caps the count', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 100 });
    const [a, b] = await manager.addProxies(pool, proxyUrls(2));
    const aId = must(a).id;
    const bId = must(b).id;
    const onA = { pool, filters: { exclude: [bId] } };
    const onB = { pool, filters: { exclude: [aId] } };
    for (let i = 0; i < 3; i++) {
      await manager.releaseProxy(must(await manager.acquireProxy(onA)), {
        ...fail,
        message: `a${i}`,
      });
      await manager.releaseProxy(must(await manager.acquireProxy(onB)), {
        ...fail,
        message: `b${i}`,
      });
    }
    const s = must(await manager.acquireProxy({ ...onB, session: true }));
    const sid = must(s.session).id;
    await manager.releaseProxy(s, { ok: false, error: 'blocked', statusCode: 403, message: 'bs' });

    const all = await manager.getErrorLog(pool);
    expect(all.map((e) => e.message ?? e.reason)).toEqual([
      'blocked',
      'bs',
      'b2',
      'a2',
      'b1',
      'a1',
      'b0',
      'a0',
    ]);
    expect((await manager.getErrorLog(pool, { proxyId: aId })).map((e) => e.message)).toEqual([
      'a2',
      'a1',
      'a0',
    ]);
    const forB = await manager.getErrorLog(pool, { proxyId: bId });
    expect(forB).toHaveLength(5);
    expect(forB.every((e) => e.proxyId === bId)).toBe(true);
    const forSession = await manager.getErrorLog(pool, { sessionId: sid });
    expect(forSession.map((e) => [e.type, e.category ?? e.reason])).toEqual([
      ['transition', 'blocked'],
      ['failure', 'blocked'],
    ]);
    expect(
      (await manager.getErrorLog(pool, { limit: 3 })).map((e) => e.message ?? e.reason),
    ).toEqual(['blocked', 'bs', 'b2']);
    expect(
      (await manager.getErrorLog(pool, { proxyId: aId, limit: 2 })).map((e) => e.message),
    ).toEqual(['a2', 'a1']);
    expect(await manager.getErrorLog(pool, { proxyId: '0123456789abcdef' })).toEqual([]);
    expect(await manager.getErrorLog(pool, { sessionId: 'nobody' })).toEqual([]);
  });

  it('credentials in failure messages are stored redacted', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 100 });
    await manager.addProxies(pool, proxyUrls(1));
    const lease = must(await manager.acquireProxy({ pool }));
    await manager.recordResult(lease, {
      ok: false,
      error: 'network',
      message: 'CONNECT via http://user:secret@10.1.2.3:8080 refused',
    });
    await manager.releaseProxy(lease, {
      ok: false,
      error: 'auth',
      statusCode: 407,
      message: 'proxy SOCKS5://bob:secret@proxy.example:1080 and https://eve:secret@x.example/p',
    });
    const log = await manager.getErrorLog(pool);
    expect(log.map((e) => e.message)).toEqual([
      'proxy SOCKS5://***:***@proxy.example:1080 and https://***:***@x.example/p',
      'CONNECT via http://***:***@10.1.2.3:8080 refused',
    ]);
    expect(JSON.stringify(log)).not.toContain('secret');
    const raw = await ctx.redis().xrange(manager.keys.poolKeys(pool).errorLog, '-', '+');
    expect(JSON.stringify(raw)).not.toContain('secret');
  });

  it('rejects bad input with a ValidationError naming the field, writing nothing', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    const [proxy] = await manager.addProxies(pool, proxyUrls(1));
    const id = must(proxy).id;
    const lease = must(await manager.acquireProxy({ pool, session: true }));
    const sid = must(lease.session).id;
    const calls: [() => Promise<unknown>, string][] = [
      [() => manager.transitionProxyState(pool, id, 'paused' as 'active', 'x'), 'status'],
      [() => manager.transitionProxyState(pool, id, 'disabled', ''), 'reason'],
      [() => manager.transitionProxyState(pool, id, 'disabled', 'two\nlines'), 'reason'],
      [() => manager.transitionProxyState(pool, 'not-an-id', 'disabled', 'x'), 'proxyId'],
      [() => manager.transitionProxyState(pool, id.toUpperCase(), 'disabled', 'x'), 'proxyId'],
      [() => manager.transitionSessionState(pool, sid, 'paused' as 'active', 'x'), 'status'],
      [() => manager.transitionSessionState(pool, sid, 'disabled', ''), 'reason'],
      [() => manager.transitionSessionState(pool, 'bad id!', 'disabled', 'x'), 'sessionId'],
      [() => manager.resetProxy(pool, 'zz'), 'proxyId'],
      [() => manager.resetProxy(pool, id, ''), 'reason'],
      [
        () =>
          manager.releaseProxy(lease, {
            ok: false,
            error: 'martian' as 'network',
          }),
        'outcome.error',
      ],
      [
        () => manager.releaseProxy(lease, { ok: false, error: 'server', statusCode: 99 }),
        'outcome.statusCode',
      ],
      [
        () => manager.releaseProxy(lease, { ok: false, error: 'server', statusCode: 1000 }),
        'outcome.statusCode',
      ],
      [
        () => manager.recordResult(lease, { ok: false, error: 'martian' as 'network' }),
        'outcome.error',
      ],
      [() => manager.getErrorLog(pool, { limit: 0 }), 'query.limit'],
      [() => manager.getErrorLog(pool, { proxyId: 'nope' }), 'query.proxyId'],
      [() => manager.getErrorLog(pool, { sessionId: 'a b' }), 'query.sessionId'],
    ];
    for (const [call, field] of calls) {
      const before = await snapshotKeys(ctx.redis(), prefix);
      const error = await rejection(call());
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field, field).toBe(field);
      expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
    }
    // The lease survived every rejected call.
    expect(await manager.releaseProxy(lease, { ok: true })).toEqual({ released: true });
  });

  it('the error-log stream is capped at about errorLogMaxLength entries', async () => {
    const { manager, pool } = await freshPool(ctx, {
      errorLogMaxLength: 100,
      failureThreshold: 100_000,
    });
    await manager.addProxies(pool, proxyUrls(1));
    const lease = must(await manager.acquireProxy({ pool, durationSeconds: 60 }));
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          manager.recordResult(lease, { ...fail, message: `m${batch * 50 + i}` }),
        ),
      );
    }
    expect((await manager.getProxyHealth(pool, lease.proxyId)).failures).toBe(500);
    const length = await ctx.redis().xlen(manager.keys.poolKeys(pool).errorLog);
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300);
    // What is kept is the newest.
    const log = await manager.getErrorLog(pool, { limit: 10_000 });
    expect(log).toHaveLength(length);
    // Batches ran one after another, so the whole last batch is kept and the first is gone.
    const kept = new Set(log.map((e) => e.message));
    for (let i = 450; i < 500; i++) expect(kept.has(`m${i}`)).toBe(true);
    expect(kept.has('m0')).toBe(false);
  });
});
