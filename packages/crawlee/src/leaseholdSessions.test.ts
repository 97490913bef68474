import { LIMITS, NoProxyAvailableError, ProxyManager, ValidationError } from '@leasehold/client';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { LeaseholdSessions } from './leaseholdSessions.js';

const PROXY = 'http://user:secret@10.1.0.1:8080';

describeEachTarget('LeaseholdSessions (the crawler-independent core)', (ctx) => {
  async function setUp(options: { waitMs?: number; resumeWaitMs?: number } = {}) {
    const manager = new ProxyManager({ redis: ctx.redis(), prefix: ctx.uniquePrefix() });
    const pool = 'crawl';
    await manager.upsertPool({ name: pool });
    const [proxy] = await manager.addProxies(pool, [{ url: PROXY, maxConcurrency: 1 }]);
    const sessions = new LeaseholdSessions(manager, {
      pool,
      waitMs: 0,
      resumeWaitMs: 0,
      ...options,
    });
    return { manager, pool, proxyId: proxy?.id as string, sessions };
  }

  it('validates its options and session ids with typed errors naming the field', async () => {
    const { manager, sessions } = await setUp();
    expect(() => new LeaseholdSessions(manager, { pool: 'no spaces' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'options.pool' }),
    );
    expect(() => new LeaseholdSessions(manager, { pool: 'p', waitMs: -1 })).toThrow(
      ValidationError,
    );
    expect(() => new LeaseholdSessions(manager, { pool: 'p', extra: 1 } as never)).toThrow(
      ValidationError,
    );
    await expect(sessions.getSession('not a valid id!')).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'id',
    });
  });

  it('a session leased with its proxy; data saved on markGood comes back on resume', async () => {
    const { manager, pool, sessions } = await setUp();
    const first = await sessions.getSession();
    expect(first.proxyUrl).toBe(PROXY);
    expect(first.resumed).toBe(false);
    expect(first.data).toBe('');
    expect(sessions.openSessions).toBe(1);
    first.setData('{"cookies":["a=1"]}');
    await first.markGood({ latencyMs: 12 });
    expect(first.ended).toBe(true);
    expect(sessions.openSessions).toBe(0);
    expect(await manager.getSessionState(pool, first.id)).toMatchObject({
      status: 'active',
      data: '{"cookies":["a=1"]}',
      leased: false,
    });
    const again = await sessions.getSession(first.id);
    expect(again).toMatchObject({ id: first.id, resumed: true, data: '{"cookies":["a=1"]}' });
    await again.release();
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
  });

  it('the first end method wins: later ones release nothing twice', async () => {
    const { manager, sessions } = await setUp();
    const releases: boolean[] = [];
    manager.onRelease(({ result }) => {
      releases.push(result.released);
    });
    const session = await sessions.getSession();
    await Promise.all([session.markGood(), session.markBad({ statusCode: 500 })]);
    await session.retire();
    expect(releases).toEqual([true]);
    expect((await manager.getProxyHealth(session.lease.pool, session.lease.proxyId)).failures).toBe(
      0,
    );
  });

  it('403 retires the session in Leasehold; a resume then hands out another session', async () => {
    const { manager, pool, sessions } = await setUp();
    const blocked = await sessions.getSession();
    await blocked.report({ statusCode: 403, message: 'Forbidden' });
    expect(await manager.getSessionState(pool, blocked.id)).toMatchObject({
      status: 'disabled',
      disabledReason: 'blocked',
    });
    const next = await sessions.getSession(blocked.id);
    expect(next.resumed).toBe(false);
    expect(next.id).not.toBe(blocked.id);
    await next.release();
  });

  it('429 with Retry-After rests the proxy for the scope and keeps the session', async () => {
    const { manager, pool, sessions } = await setUp();
    const limited = await sessions.getSession(undefined, { scope: 'shop.example' });
    await limited.report({ statusCode: 429, retryAfter: '30' });
    expect((await manager.getSessionState(pool, limited.id)).status).toBe('active');
    const [entry] = await manager.getErrorLog(pool, { sessionId: limited.id, limit: 1 });
    expect(entry).toMatchObject({ category: 'rate_limit', statusCode: 429, scope: 'shop.example' });
    // Resting for that scope only: the resume falls back, and finds no other proxy.
    await expect(sessions.getSession(limited.id, { scope: 'shop.example' })).rejects.toThrow(
      NoProxyAvailableError,
    );
    const elsewhere = await sessions.getSession(limited.id, { scope: 'other.example' });
    expect(elsewhere.resumed).toBe(true);
    await elsewhere.release();
  });

  it('retire() disables the session with the reason given and releases the lease', async () => {
    const { manager, pool, sessions } = await setUp();
    const session = await sessions.getSession();
    await session.retire('captcha_seen');
    expect(await manager.getSessionState(pool, session.id)).toMatchObject({
      status: 'disabled',
      disabledReason: 'captcha_seen',
    });
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
  });

  it('markBad with nothing to classify is an unknown failure; a 200 cannot make it a success', async () => {
    const { manager, pool, proxyId, sessions } = await setUp();
    await (await sessions.getSession()).markBad();
    await (await sessions.getSession()).markBad({ statusCode: 200, message: 'parse failed' });
    const health = await manager.getProxyHealth(pool, proxyId);
    expect(health).toMatchObject({ successes: 0, failures: 2 });
    expect(health.failuresByCategory).toEqual({ unknown: 2 });
  });

  it('data too big for Leasehold is dropped, not a failed release', async () => {
    const { manager, pool, sessions } = await setUp();
    const session = await sessions.getSession();
    session.setData('small');
    session.setData('x'.repeat(LIMITS.maxSessionDataBytes + 1));
    await session.markGood();
    expect(await manager.getSessionState(pool, session.id)).toMatchObject({
      data: '',
      leased: false,
    });
  });

  it('no free proxy: NoProxyAvailableError after waitMs; with a wait, the freed proxy', async () => {
    const { manager, pool } = await setUp();
    const held = await manager.acquireProxy({ pool });
    expect(held).not.toBeNull();
    const failing = new LeaseholdSessions(manager, { pool, waitMs: 0 });
    await expect(failing.getSession()).rejects.toThrow(NoProxyAvailableError);
    const waiting = new LeaseholdSessions(manager, { pool, waitMs: 10_000 });
    const next = waiting.getSession();
    await manager.releaseProxy(held as NonNullable<typeof held>);
    const session = await next;
    expect(session.lease.proxyId).toBe(held?.proxyId);
    await session.release();
  });

  it('releaseAll gives back every handle not ended', async () => {
    const { manager, pool } = await setUp();
    await manager.addProxies(pool, ['http://10.1.0.2:8080']);
    const sessions = new LeaseholdSessions(manager, { pool, waitMs: 0 });
    await sessions.getSession();
    await sessions.getSession();
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(2);
    expect(await sessions.releaseAll()).toBe(2);
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
    expect(sessions.openSessions).toBe(0);
  });
});
