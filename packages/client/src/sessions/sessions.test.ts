import { SessionDisabledError, SessionNotFoundError } from '@leasehold/core';
import {
  describeEachTarget,
  must,
  rejection,
  TestClock,
  useTestClockLibrary,
} from '@leasehold/testing';
import { expect, it, vi } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

// Session ages, rests and expiries are reached by moving the pool's clock, not by sleeping.
useTestClockLibrary();

/** The session id a lease carries (throws when it has none). */
function sessionOf(lease: Lease | null): string {
  return must(must(lease).session, 'a session').id;
}

/** Resume a session, moving the pool's clock a second at a time while its proxy rests. */
async function resumeSoon(
  manager: ProxyManager,
  pool: string,
  id: string,
  clock: TestClock,
): Promise<Lease> {
  for (let i = 0; i < 20; i++) {
    const lease = await manager.acquireProxy({ pool, session: { id } });
    if (lease !== null) return lease;
    await clock.advance(1_000);
  }
  throw new Error(`session ${id} could not be resumed`);
}

describeEachTarget('sticky sessions', (ctx) => {
  const clockOf = (manager: ProxyManager, pool: string) =>
    TestClock.forPool(ctx.redis(), manager.keys, pool);

  it('session: true starts a session bound to the leased proxy', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(2));
    const lease = must(await manager.acquireProxy({ pool, session: true }));
    expect(lease.session).toEqual({ id: expect.any(String), data: '' });
    const id = sessionOf(lease);
    const state = await manager.getSessionState(pool, id);
    expect(state).toMatchObject({
      id,
      status: 'active',
      proxyId: lease.proxyId,
      leased: true,
      usageCount: 0,
      consecutiveFailures: 0,
      data: '',
      disabledReason: null,
    });
    expect(state.createdAt).toBe(lease.acquiredAt);
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(1);
    // A lease without a session carries none.
    expect((await manager.acquireProxy({ pool }))?.session).toBeUndefined();
  });

  it('release stores the session data and resuming leases the same proxy with it', async () => {
    const { manager, pool } = await freshPool(ctx, { selector: 'round-robin' });
    await manager.addProxies(pool, proxyUrls(3));
    const first = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(first);
    expect(await manager.releaseProxy(first, { ok: true, sessionData: 'cookie=abc' })).toEqual({
      released: true,
    });
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'active',
      leased: false,
      usageCount: 1,
      data: 'cookie=abc',
    });
    for (let round = 0; round < 3; round++) {
      // Plain leases move round-robin along; the session stays on its own proxy.
      const plain = must(await manager.acquireProxy({ pool }));
      const resumed = must(await manager.acquireProxy({ pool, session: { id } }));
      expect(resumed.proxyId).toBe(first.proxyId);
      expect(resumed.session).toEqual({ id, data: 'cookie=abc' });
      expect((await manager.getSessionState(pool, id)).leased).toBe(true);
      // An outcome without sessionData keeps the stored data.
      await manager.releaseProxy(resumed, { ok: true });
      await manager.releaseProxy(plain);
    }
    const again = must(await manager.acquireProxy({ pool, session: { id } }));
    await manager.releaseProxy(again, { ok: true, sessionData: 'cookie=def' });
    expect((await manager.acquireProxy({ pool, session: { id } }))?.session).toEqual({
      id,
      data: 'cookie=def',
    });
    expect(await manager.getSessionState(pool, id)).toMatchObject({ usageCount: 5 });
  });

  it('session: true reuses idle sessions least recently used first, up to maxSessions', async () => {
    const { manager, pool } = await freshPool(ctx, { maxSessions: 3 });
    const clock = clockOf(manager, pool);
    await manager.addProxies(pool, proxyUrls(5));
    const a = must(await manager.acquireProxy({ pool, session: true }));
    const b = must(await manager.acquireProxy({ pool, session: true }));
    const c = must(await manager.acquireProxy({ pool, session: true }));
    const ids = [a, b, c].map(sessionOf);
    expect(new Set(ids).size).toBe(3);
    // The pool holds maxSessions live sessions, all leased: no new one, though proxies are free.
    expect(await manager.acquireProxy({ pool, session: true })).toBeNull();
    const stats = await manager.getPoolStats(pool);
    expect(stats).toMatchObject({ liveSessions: 3, availableProxies: 5 });
    const plain = must(await manager.acquireProxy({ pool }));
    await manager.releaseProxy(plain);

    // Idle order: b (longest idle), then c, then a.
    await manager.releaseProxy(b, { ok: true });
    await clock.advance(5);
    await manager.releaseProxy(c, { ok: true });
    await clock.advance(5);
    await manager.releaseProxy(a, { ok: true });
    const reused = [
      must(await manager.acquireProxy({ pool, session: true })),
      must(await manager.acquireProxy({ pool, session: true })),
      must(await manager.acquireProxy({ pool, session: true })),
    ];
    expect(reused.map(sessionOf)).toEqual([ids[1], ids[2], ids[0]]);
    // Each reused session comes with its own proxy.
    expect(reused.map((l) => l.proxyId)).toEqual([b.proxyId, c.proxyId, a.proxyId]);
    expect(await manager.acquireProxy({ pool, session: true })).toBeNull();
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(3);

    // Retiring one makes room for a new session.
    await manager.transitionSessionState(pool, ids[0] as string, 'disabled', 'manual');
    const fresh = must(await manager.acquireProxy({ pool, session: true }));
    expect(ids).not.toContain(sessionOf(fresh));
    expect(fresh.session?.data).toBe('');
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(3);
  });

  it('session: true passes over an idle session whose proxy is busy or filtered out', async () => {
    const { manager, pool } = await freshPool(ctx, { selector: 'first-available' });
    const urls = proxyUrls(2);
    const [pa, pb] = await manager.addProxies(pool, [
      { url: urls[0] as string, maxConcurrency: 1, labels: { country: 'AR' } },
      { url: urls[1] as string, labels: { country: 'BR' } },
    ]);
    const s1 = must(await manager.acquireProxy({ pool, session: true }));
    expect(s1.proxyId).toBe(pa?.id);
    await manager.releaseProxy(s1, { ok: true });
    // Proxy A is now full with a plain lease: its idle session cannot be used.
    const plain = must(await manager.acquireProxy({ pool }));
    expect(plain.proxyId).toBe(pa?.id);
    const s2 = must(await manager.acquireProxy({ pool, session: true }));
    expect(sessionOf(s2)).not.toBe(sessionOf(s1));
    expect(s2.proxyId).toBe(pb?.id);
    await manager.releaseProxy(s2, { ok: true });
    await manager.releaseProxy(plain);
    // s1 is idle longer, but only s2's proxy matches the filter.
    const filtered = must(
      await manager.acquireProxy({ pool, session: true, filters: { country: 'BR' } }),
    );
    expect(sessionOf(filtered)).toBe(sessionOf(s2));
    // Without a filter the longest-idle usable one (s1) comes back.
    expect(sessionOf(await manager.acquireProxy({ pool, session: true }))).toBe(sessionOf(s1));
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(2);
  });

  it('resuming returns null while the session is leased or its proxy is busy', async () => {
    const { manager, pool } = await freshPool(ctx, { selector: 'first-available' });
    const urls = proxyUrls(2);
    const [pa] = await manager.addProxies(pool, [
      { url: urls[0] as string, maxConcurrency: 1 },
      urls[1] as string,
    ]);
    const s = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(s);
    expect(s.proxyId).toBe(pa?.id);
    // Leased: a second holder is refused, even on a proxy with spare capacity elsewhere.
    expect(await manager.acquireProxy({ pool, session: { id } })).toBeNull();
    await manager.releaseProxy(s, { ok: true, sessionData: 'x=1' });
    // Its proxy is taken by a plain lease (cap 1): no resume, and never on another proxy.
    const plain = must(await manager.acquireProxy({ pool }));
    expect(plain.proxyId).toBe(pa?.id);
    expect(await manager.acquireProxy({ pool, session: { id } })).toBeNull();
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'active',
      leased: false,
      usageCount: 1,
    });
    await manager.releaseProxy(plain);
    const resumed = must(await manager.acquireProxy({ pool, session: { id } }));
    expect(resumed.proxyId).toBe(pa?.id);
    expect(resumed.session).toEqual({ id, data: 'x=1' });

    // Same on an uncapped proxy: a leased session is never handed out twice.
    const t = must(
      await manager.acquireProxy({ pool, session: true, filters: { exclude: [pa?.id as string] } }),
    );
    const tid = sessionOf(t);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => manager.acquireProxy({ pool, session: { id: tid } })),
    );
    expect(results.every((r) => r === null)).toBe(true);
  });

  it('an auth or blocked outcome retires the session at once', async () => {
    for (const outcome of [
      { ok: false as const, error: 'auth' as const, statusCode: 401 },
      { ok: false as const, error: 'blocked' as const, statusCode: 403 },
    ]) {
      const { manager, pool } = await freshPool(ctx);
      await manager.addProxies(pool, proxyUrls(2));
      const lease = must(await manager.acquireProxy({ pool, session: true }));
      const id = sessionOf(lease);
      expect((await manager.getPoolStats(pool)).liveSessions).toBe(1);
      await manager.releaseProxy(lease, outcome);
      expect(await manager.getSessionState(pool, id)).toMatchObject({
        status: 'disabled',
        disabledReason: outcome.error,
        leased: false,
        usageCount: 1,
        consecutiveFailures: 1,
      });
      expect((await manager.getPoolStats(pool)).liveSessions).toBe(0);
      const error = await rejection(manager.acquireProxy({ pool, session: { id } }));
      expect(error).toBeInstanceOf(SessionDisabledError);
      expect(error).toMatchObject({ code: 'SESSION_DISABLED', reason: outcome.error });
      // The retired session is never handed out again by session: true.
      const next = must(await manager.acquireProxy({ pool, session: true }));
      expect(sessionOf(next)).not.toBe(id);
      const [retired] = await manager.getErrorLog(pool, { sessionId: id, limit: 1 });
      expect(retired).toMatchObject({
        type: 'transition',
        subject: 'session',
        sessionId: id,
        proxyId: lease.proxyId,
        from: 'active',
        to: 'disabled',
        reason: outcome.error,
      });
    }
  });

  it('other failures retire the session after failureThreshold in a row; a success resets the streak', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 3 });
    const clock = clockOf(manager, pool);
    await manager.addProxies(pool, proxyUrls(1));
    const first = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(first);
    // Released without an outcome: nothing counted yet.
    await manager.releaseProxy(first);
    const outcomes = [
      { ok: false as const, error: 'network' as const },
      { ok: false as const, error: 'timeout' as const },
      { ok: true as const },
      { ok: false as const, error: 'server' as const, statusCode: 502 },
      { ok: false as const, error: 'unknown' as const },
    ];
    for (const outcome of outcomes)
      await manager.releaseProxy(await resumeSoon(manager, pool, id, clock), outcome);
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'active',
      consecutiveFailures: 2,
      usageCount: 5,
    });
    await manager.releaseProxy(await resumeSoon(manager, pool, id, clock), {
      ok: false,
      error: 'network',
    });
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'disabled',
      disabledReason: 'consecutive_failures',
      consecutiveFailures: 3,
    });
    await expect(manager.acquireProxy({ pool, session: { id } })).rejects.toMatchObject({
      code: 'SESSION_DISABLED',
      reason: 'consecutive_failures',
    });
  });

  it('rate limits never count against the session', async () => {
    const { manager, pool } = await freshPool(ctx, {
      failureThreshold: 2,
      cooldown: { baseSeconds: 2, maxSeconds: 5 },
    });
    const clock = clockOf(manager, pool);
    await manager.addProxies(pool, proxyUrls(1));
    const first = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(first);
    await manager.releaseProxy(first, { ok: false, error: 'rate_limit', statusCode: 429 });
    for (let i = 0; i < 3; i++) {
      const lease = await resumeSoon(manager, pool, id, clock);
      await manager.releaseProxy(lease, {
        ok: false,
        error: 'rate_limit',
        statusCode: 429,
        retryAfterMs: 2_000,
      });
    }
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'active',
      disabledReason: null,
      consecutiveFailures: 0,
      usageCount: 4,
    });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(1);
    // Still resumable once the proxy's rest is over.
    expect((await resumeSoon(manager, pool, id, clock)).session?.id).toBe(id);
  });

  it('retires the session after maxUsageCount outcomes; releases without an outcome do not count', async () => {
    const { manager, pool } = await freshPool(ctx, { session: { maxUsageCount: 3 } });
    await manager.addProxies(pool, proxyUrls(2));
    const first = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(first);
    await manager.releaseProxy(first, { ok: true });
    await manager.releaseProxy(must(await manager.acquireProxy({ pool, session: { id } })));
    await manager.releaseProxy(must(await manager.acquireProxy({ pool, session: { id } })), {
      ok: false,
      error: 'timeout',
    });
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'active',
      usageCount: 2,
    });
    await manager.releaseProxy(must(await manager.acquireProxy({ pool, session: { id } })), {
      ok: true,
    });
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'disabled',
      disabledReason: 'max_usage',
      usageCount: 3,
    });
    await expect(manager.acquireProxy({ pool, session: { id } })).rejects.toMatchObject({
      code: 'SESSION_DISABLED',
      reason: 'max_usage',
    });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(0);
  });

  it('retires the session after maxAgeSeconds, on resume and when picked as idle', async () => {
    const { manager, pool } = await freshPool(ctx, { session: { maxAgeSeconds: 60 } });
    await manager.addProxies(pool, proxyUrls(2));
    const first = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(first);
    await manager.releaseProxy(first, { ok: true, sessionData: 'c=1' });
    // Young enough: resumable.
    await manager.releaseProxy(must(await manager.acquireProxy({ pool, session: { id } })));
    const other = must(await manager.acquireProxy({ pool, session: true }));
    expect(sessionOf(other)).toBe(id);
    await manager.releaseProxy(other);
    const second = must(
      await manager.acquireProxy({ pool, session: true, filters: { exclude: [first.proxyId] } }),
    );
    const id2 = sessionOf(second);
    expect(id2).not.toBe(id);
    await manager.releaseProxy(second);
    await clockOf(manager, pool).advance(61_000);

    const error = await rejection(manager.acquireProxy({ pool, session: { id } }));
    expect(error).toBeInstanceOf(SessionDisabledError);
    expect(error).toMatchObject({ code: 'SESSION_DISABLED', reason: 'max_age' });
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'disabled',
      disabledReason: 'max_age',
      data: 'c=1',
    });
    // Told the same reason again later.
    await expect(manager.acquireProxy({ pool, session: { id } })).rejects.toMatchObject({
      reason: 'max_age',
    });
    // The other aged idle session is retired when session: true looks at it: a new one starts.
    const fresh = must(await manager.acquireProxy({ pool, session: true }));
    expect([id, id2]).not.toContain(sessionOf(fresh));
    expect(fresh.session?.data).toBe('');
    expect(await manager.getSessionState(pool, id2)).toMatchObject({
      status: 'disabled',
      disabledReason: 'max_age',
    });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(1);
  });

  it('resuming a disabled session throws SessionDisabledError; an unknown one SessionNotFoundError', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const lease = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(lease);
    await manager.releaseProxy(lease);
    expect(await manager.transitionSessionState(pool, id, 'disabled', 'manual')).toBe(true);
    const disabled = await rejection(manager.acquireProxy({ pool, session: { id } }));
    expect(disabled).toBeInstanceOf(SessionDisabledError);
    expect(disabled).toMatchObject({ code: 'SESSION_DISABLED', reason: 'manual' });
    // A disabled session never blocks its proxy for others.
    expect(await manager.acquireProxy({ pool })).not.toBeNull();

    const unknown = await rejection(manager.acquireProxy({ pool, session: { id: 'no-such-id' } }));
    expect(unknown).toBeInstanceOf(SessionNotFoundError);
    expect(unknown).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    await expect(manager.getSessionState(pool, 'no-such-id')).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    // Nothing was created for the unknown id.
    expect(await ctx.redis().exists(manager.keys.session(pool, 'no-such-id'))).toBe(0);
  });

  it('disabling a proxy retires its sessions with reason proxy_disabled', async () => {
    const { manager, pool } = await freshPool(ctx, { selector: 'first-available' });
    const [pa, pb] = await manager.addProxies(pool, proxyUrls(2));
    const s1 = must(await manager.acquireProxy({ pool, session: true }));
    const s2 = must(await manager.acquireProxy({ pool, session: true }));
    const s3 = must(
      await manager.acquireProxy({ pool, session: true, filters: { exclude: [pa?.id as string] } }),
    );
    expect([s1.proxyId, s2.proxyId, s3.proxyId]).toEqual([pa?.id, pa?.id, pb?.id]);
    await manager.releaseProxy(s1, { ok: true });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(3);

    expect(await manager.transitionProxyState(pool, pa?.id as string, 'disabled', 'gone')).toBe(
      true,
    );
    for (const s of [s1, s2]) {
      expect(await manager.getSessionState(pool, sessionOf(s))).toMatchObject({
        status: 'disabled',
        disabledReason: 'proxy_disabled',
      });
      await expect(
        manager.acquireProxy({ pool, session: { id: sessionOf(s) } }),
      ).rejects.toMatchObject({ code: 'SESSION_DISABLED', reason: 'proxy_disabled' });
    }
    expect(await manager.getSessionState(pool, sessionOf(s3))).toMatchObject({
      status: 'active',
      disabledReason: null,
    });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(1);
    // Re-enabling the proxy does not bring its sessions back by itself.
    await manager.transitionProxyState(pool, pa?.id as string, 'active', 'back');
    expect((await manager.getSessionState(pool, sessionOf(s1))).status).toBe('disabled');
    // The still-leased s2 can be released normally; its outcome no longer counts.
    expect(await manager.releaseProxy(s2, { ok: true })).toEqual({ released: true });
    expect(await manager.getSessionState(pool, sessionOf(s2))).toMatchObject({
      status: 'disabled',
      usageCount: 0,
      leased: false,
    });
  });

  it('recordResult counts toward the session without releasing it', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 5 });
    await manager.addProxies(pool, proxyUrls(1));
    const lease = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(lease);
    await manager.recordResult(lease, { ok: true, sessionData: 'v=1' });
    await manager.recordResult(lease, { ok: false, error: 'network' });
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'active',
      leased: true,
      usageCount: 2,
      consecutiveFailures: 1,
      data: 'v=1',
    });
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
    await manager.recordResult(lease, { ok: true });
    expect((await manager.getSessionState(pool, id)).consecutiveFailures).toBe(0);
    // An auth failure retires it while the lease is still out.
    await manager.recordResult(lease, { ok: false, error: 'auth', statusCode: 407 });
    expect(await manager.getSessionState(pool, id)).toMatchObject({
      status: 'disabled',
      disabledReason: 'auth',
      leased: true,
      usageCount: 4,
    });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(0);
    expect(await manager.releaseProxy(lease)).toEqual({ released: true });
    expect((await manager.getSessionState(pool, id)).leased).toBe(false);
    await expect(manager.acquireProxy({ pool, session: { id } })).rejects.toBeInstanceOf(
      SessionDisabledError,
    );
  });

  it('pool stats liveSessions counts active sessions only', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(3));
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(0);
    const leases = [
      must(await manager.acquireProxy({ pool, session: true })),
      must(await manager.acquireProxy({ pool, session: true })),
      must(await manager.acquireProxy({ pool, session: true })),
    ];
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(3);
    // Idle sessions are still live.
    for (const l of leases) await manager.releaseProxy(l, { ok: true });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(3);
    await manager.transitionSessionState(pool, sessionOf(leases[0] as Lease), 'disabled', 'm');
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(2);
    const id = sessionOf(leases[1] as Lease);
    await manager.releaseProxy(must(await manager.acquireProxy({ pool, session: { id } })), {
      ok: false,
      error: 'blocked',
      statusCode: 403,
    });
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(1);
    await manager.transitionSessionState(pool, sessionOf(leases[0] as Lease), 'active', 'm');
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(2);
    // A re-enabled idle session is usable again by session: true.
    const picked = await Promise.all([
      manager.acquireProxy({ pool, session: true }),
      manager.acquireProxy({ pool, session: true }),
    ]);
    expect(picked.map(sessionOf).sort()).toEqual(
      [sessionOf(leases[0] as Lease), sessionOf(leases[2] as Lease)].sort(),
    );
  });

  it('concurrent session: true callers never share a session and stop at maxSessions', async () => {
    const { manager, prefix, pool } = await freshPool(ctx, { maxSessions: 3 });
    await manager.addProxies(pool, proxyUrls(10));
    const managers = await Promise.all(
      Array.from(
        { length: 8 },
        async () => new ProxyManager({ redis: await ctx.newClient(), prefix }),
      ),
    );
    const leases = (
      await Promise.all(managers.map((m) => m.acquireProxy({ pool, session: true })))
    ).filter((l): l is Lease => l !== null);
    expect(leases).toHaveLength(3);
    expect(new Set(leases.map(sessionOf)).size).toBe(3);
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(3);
    // One idle session, many callers: exactly one of them gets it.
    const [one] = leases;
    await manager.releaseProxy(must(one), { ok: true });
    const race = await Promise.all(managers.map((m) => m.acquireProxy({ pool, session: true })));
    const winners = race.filter((l): l is Lease => l !== null);
    expect(winners.map(sessionOf)).toEqual([sessionOf(must(one))]);
  });

  it('concurrent resumes of one idle session: exactly one wins', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(2));
    const first = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(first);
    await manager.releaseProxy(first, { ok: true, sessionData: 'c=1' });
    const managers = await Promise.all(
      Array.from(
        { length: 8 },
        async () => new ProxyManager({ redis: await ctx.newClient(), prefix }),
      ),
    );
    const results = await Promise.all(
      managers.map((m) => m.acquireProxy({ pool, session: { id } })),
    );
    const winners = results.filter((l): l is Lease => l !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ proxyId: first.proxyId, session: { id, data: 'c=1' } });
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
  });

  it('an expired lease reclaimed by a sweep gives its session back as idle', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const lease = must(await manager.acquireProxy({ pool, session: true, durationSeconds: 10 }));
    const id = sessionOf(lease);
    await clockOf(manager, pool).advance(10_000);
    expect(await manager.cleanupExpiredLeases(pool)).toBe(1);
    expect((await manager.getSessionState(pool, id)).leased).toBe(false);
    expect(sessionOf(await manager.acquireProxy({ pool, session: true }))).toBe(id);
  });

  // Regression: a session whose record expired used to stay in the `sessions` zset for good,
  // counting as live and taking a maxSessions slot.
  it('a session whose record has expired no longer counts as live nor toward maxSessions', async () => {
    const { manager, pool } = await freshPool(ctx, {
      maxSessions: 1,
      session: { maxAgeSeconds: 5 },
    });
    await manager.addProxies(pool, proxyUrls(2));
    const lease = must(await manager.acquireProxy({ pool, session: true }));
    const id = sessionOf(lease);
    await manager.releaseProxy(lease, { ok: true });
    await clockOf(manager, pool).advance(6_000);
    // The session record's TTL (maxAge + one day) runs out while nobody touches the pool.
    const record = manager.keys.session(pool, id);
    await ctx.redis().pexpire(record, 1);
    await vi.waitFor(async () => expect(await ctx.redis().exists(record)).toBe(0));
    await expect(manager.getSessionState(pool, id)).rejects.toBeInstanceOf(SessionNotFoundError);
    expect((await manager.getPoolStats(pool)).liveSessions).toBe(0);
    const fresh = await manager.acquireProxy({ pool, session: true });
    expect(fresh).not.toBeNull();
  });

  // Regression: a lease whose record is gone when it is reclaimed (lost, or from an older
  // layout) must still free its session, found through the proxy's sessions.
  it('a session lease reclaimed after its lease record expired frees the session', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const lease = must(await manager.acquireProxy({ pool, session: true, durationSeconds: 10 }));
    const id = sessionOf(lease);
    await clockOf(manager, pool).advance(10_000);
    // The lease record is gone; only the deadline entry remains.
    await ctx.redis().hdel(manager.keys.poolKeys(pool).leases, lease.id);
    expect(await manager.cleanupExpiredLeases(pool)).toBe(1);
    expect((await manager.getSessionState(pool, id)).leased).toBe(false);
    expect(sessionOf(await manager.acquireProxy({ pool, session: true }))).toBe(id);
  });
});
