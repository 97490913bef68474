import { gatewaySessionToken, redactProxyUrl, ValidationError } from '@leasehold/core';
import {
  describeEachTarget,
  type GatewayProxy,
  must,
  rejection,
  requestThroughProxy,
  startGatewayProxy,
} from '@leasehold/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshPool, snapshotKeys } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

/** Poll a condition on a real event, for at most `ms`. */
async function eventually(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const SECRET = 'gw-Secret-9f';

describeEachTarget('gateway proxies and sticky sessions', (ctx) => {
  // Bright Data / Decodo style: the session id in the username.
  let gateway: GatewayProxy;
  // IPRoyal style: an 8-character session id in the password.
  let passwordGateway: GatewayProxy;
  beforeAll(async () => {
    gateway = await startGatewayProxy({
      accept: ({ username, password }) =>
        username.startsWith('customer-acme-') && password === SECRET,
    });
    passwordGateway = await startGatewayProxy({
      session: { in: 'password', pattern: /_session-([A-Za-z0-9]{8})_/ },
      accept: ({ username }) => username === 'user123',
    });
  });
  afterAll(async () => {
    await Promise.all([gateway.close(), passwordGateway.close()]);
  });

  const gatewayUrl = (country = 'us') =>
    `http://customer-acme-cc-${country}-session-{session}:${SECRET}@127.0.0.1:${gateway.port}`;

  /** Send one request through the lease's proxy; the exit the gateway chose for it. */
  async function exitOf(lease: Lease): Promise<string> {
    const res = await requestThroughProxy(lease.proxy);
    expect(res.status).toBe(200);
    return must(res.exitIp, 'an exit ip');
  }

  it('a gateway session keeps its exit (the gateway sees one session id) until retired', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    const [record] = await manager.addProxies(pool, [{ url: gatewayUrl(), maxConcurrency: 5 }]);
    const first = must(await manager.acquireProxy({ pool, session: true }));
    const sessionId = must(first.session).id;
    const token = gatewaySessionToken(sessionId);
    expect(first.proxyId).toBe(must(record).id);
    expect(first.proxy.gatewaySession).toBe(token);
    expect(first.proxy.username).toBe(`customer-acme-cc-us-session-${token}`);
    expect(first.proxy.password).toBe(SECRET);
    expect(first.proxy.url).toBe(
      `http://customer-acme-cc-us-session-${token}:${SECRET}@127.0.0.1:${gateway.port}`,
    );
    const exit = await exitOf(first);
    await manager.releaseProxy(first, { ok: true, latencyMs: 5 });

    // Resumed again and again, and from another client (another process would do the same).
    const other = new ProxyManager({ redis: await ctx.newClient(), prefix });
    for (const resumer of [manager, other, manager]) {
      const lease = must(await resumer.acquireProxy({ pool, session: { id: sessionId } }));
      expect(lease.proxy.gatewaySession).toBe(token);
      expect(await exitOf(lease)).toBe(exit);
      await resumer.releaseProxy(lease, { ok: true, latencyMs: 5 });
    }
    const seen = gateway.requests.filter((r) => r.exitIp === exit);
    expect(seen).toHaveLength(4);
    expect(new Set(seen.map((r) => r.username))).toEqual(
      new Set([`customer-acme-cc-us-session-${token}`]),
    );

    // Retired: the next session is a new one, with a new token and so a new exit.
    await manager.transitionSessionState(pool, sessionId, 'disabled', 'rotate exit');
    const next = must(await manager.acquireProxy({ pool, session: true }));
    expect(must(next.session).id).not.toBe(sessionId);
    expect(next.proxy.gatewaySession).not.toBe(token);
    expect(next.proxy.gatewaySession).toBe(gatewaySessionToken(must(next.session).id));
    expect(await exitOf(next)).not.toBe(exit);
    await manager.releaseProxy(next);
    await other.close();
  });

  it('a session retired by its usage limit hands over to a new token', async () => {
    const { manager, pool } = await freshPool(ctx, { session: { maxUsageCount: 2 } });
    await manager.addProxies(pool, [gatewayUrl('de')]);
    const tokens: string[] = [];
    const exits: string[] = [];
    for (let i = 0; i < 4; i++) {
      const lease = must(await manager.acquireProxy({ pool, session: true }));
      tokens.push(must(lease.proxy.gatewaySession));
      exits.push(await exitOf(lease));
      await manager.releaseProxy(lease, { ok: true, latencyMs: 5 });
    }
    // Two uses per session: the same token twice, then a new one.
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[3]).toBe(tokens[2]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(exits[1]).toBe(exits[0]);
    expect(exits[3]).toBe(exits[2]);
    expect(exits[2]).not.toBe(exits[0]);
  });

  it('leases without a session get a fresh token each, never the template', async () => {
    const { manager, pool } = await freshPool(ctx);
    const [record] = await manager.addProxies(pool, [{ url: gatewayUrl('fr'), maxConcurrency: 4 }]);
    const leases = await Promise.all(
      Array.from({ length: 4 }, () => manager.acquireProxy({ pool })),
    );
    const tokens = leases.map((l) => must(must(l).proxy.gatewaySession));
    expect(new Set(tokens).size).toBe(4);
    for (const lease of leases.map((l) => must(l))) {
      expect(lease.proxyId).toBe(must(record).id);
      expect(lease.session).toBeUndefined();
      expect(lease.proxy.url).not.toMatch(/session(%7D|\})|%7B|\{/i);
      expect(lease.proxy.username).toMatch(/^customer-acme-cc-fr-session-[0-9a-z]{16}$/);
    }
    const exits = await Promise.all(leases.map((l) => exitOf(must(l))));
    expect(new Set(exits).size).toBe(4);
    await Promise.all(leases.map((l) => manager.releaseProxy(must(l))));
  });

  it("the gateway's maxConcurrency caps its leases across sessions", async () => {
    const { manager, pool } = await freshPool(ctx);
    const [record] = await manager.addProxies(pool, [{ url: gatewayUrl('gb'), maxConcurrency: 3 }]);
    const proxyId = must(record).id;
    const leases = (
      await Promise.all(
        Array.from({ length: 3 }, () => manager.acquireProxy({ pool, session: true })),
      )
    ).map((l) => must(l));
    expect(new Set(leases.map((l) => must(l.session).id)).size).toBe(3);
    expect(new Set(leases.map((l) => l.proxyId))).toEqual(new Set([proxyId]));
    // Full: neither a fourth session nor a lease without one.
    expect(await manager.acquireProxy({ pool, session: true })).toBeNull();
    expect(await manager.acquireProxy({ pool })).toBeNull();
    expect((await manager.getProxyState(pool, proxyId)).activeLeases).toBe(3);

    // All three at the gateway at once, each with its own session id.
    const before = gateway.requests.length;
    gateway.hold();
    const inFlight = leases.map((l) => requestThroughProxy(l.proxy));
    await eventually(() => gateway.inFlight === 3);
    gateway.release();
    const answers = await Promise.all(inFlight);
    const sessions = gateway.requests.slice(before).map((r) => r.session);
    expect(new Set(sessions)).toEqual(new Set(leases.map((l) => l.proxy.gatewaySession)));
    expect(new Set(answers.map((a) => a.exitIp)).size).toBe(3);

    // One back: session: true takes that idle session again (same token, same exit).
    const [freed] = leases;
    await manager.releaseProxy(must(freed), { ok: true, latencyMs: 5 });
    const again = must(await manager.acquireProxy({ pool, session: true }));
    expect(must(again.session).id).toBe(must(must(freed).session).id);
    expect(again.proxy.gatewaySession).toBe(must(freed).proxy.gatewaySession);
    await Promise.all([again, ...leases.slice(1)].map((l) => manager.releaseProxy(l)));
  });

  it('a password template (IPRoyal style) with an 8-character token', async () => {
    const { manager, pool } = await freshPool(ctx);
    const url = `http://user123:pass321_country-br_session-{session:8}_lifetime-30m@127.0.0.1:${passwordGateway.port}`;
    const [record] = await manager.addProxies(pool, [{ url, maxConcurrency: 2 }]);
    expect(must(record).gateway).toEqual({ in: 'password', tokenLength: 8 });
    const a = must(await manager.acquireProxy({ pool, session: true }));
    const b = must(await manager.acquireProxy({ pool, session: true }));
    const tokenA = gatewaySessionToken(must(a.session).id, 8);
    expect(a.proxy.username).toBe('user123');
    expect(a.proxy.password).toBe(`pass321_country-br_session-${tokenA}_lifetime-30m`);
    const [exitA, exitB] = [await exitOf(a), await exitOf(b)];
    expect(exitA).not.toBe(exitB);
    await manager.releaseProxy(a, { ok: true, latencyMs: 5 });
    const resumed = must(await manager.acquireProxy({ pool, session: { id: must(a.session).id } }));
    expect(await exitOf(resumed)).toBe(exitA);
    expect(passwordGateway.exits.get(tokenA)).toBe(exitA);
    expect(passwordGateway.refused).toBe(0);

    // The filled password is the lease's secret: scrubbed from stored messages in any form.
    await manager.releaseProxy(resumed, {
      ok: false,
      error: 'server',
      statusCode: 502,
      message: `upstream failed via ${resumed.proxy.url} pw=${resumed.proxy.password}`,
    });
    await manager.releaseProxy(b);
    const [entry] = await manager.getErrorLog(pool, { limit: 1 });
    const stored = JSON.stringify(entry);
    expect(stored).toContain('upstream failed');
    expect(stored).not.toContain('pass321');
  });

  it('the template is part of the identity: re-import is idempotent, another country is another proxy', async () => {
    const { manager, pool } = await freshPool(ctx);
    const [us] = await manager.addProxies(pool, [gatewayUrl('us')]);
    const [again, de] = await manager.addProxies(pool, [
      // The same URL written differently (encoded braces, scheme case) is the same proxy.
      gatewayUrl('us').replace('{session}', '%7Bsession%7D').replace('http:', 'HTTP:'),
      gatewayUrl('de'),
    ]);
    expect(must(again).id).toBe(must(us).id);
    expect(must(de).id).not.toBe(must(us).id);
    expect(must(us).gateway).toEqual({ in: 'username', tokenLength: 16 });
    const listed = await manager.listProxies(pool);
    expect(listed).toHaveLength(2);
    for (const proxy of listed) {
      expect(proxy.url).toBe(`http://***:***@127.0.0.1:${gateway.port}`);
      expect(JSON.stringify(proxy)).not.toMatch(/session|customer|Secret/);
    }
    expect(redactProxyUrl(gatewayUrl())).toBe(`http://***:***@127.0.0.1:${gateway.port}`);
  });

  it('bad templates are ValidationErrors naming the field, and nothing is written', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    const before = await snapshotKeys(ctx.redis(), prefix);
    const cases: [string, string][] = [
      [`http://acme-session-{session}:pw-{session}-${SECRET}@gw.example:7777`, 'password'],
      [`http://acme-{session}-{session}:${SECRET}@gw.example:7777`, 'username'],
      [`http://acme-country-{country}-session-{session}:${SECRET}@gw.example:7777`, 'username'],
      [`http://acme:${SECRET}-session-{session:2}@gw.example:7777`, 'password'],
      // The colon of {session:8} ends a username: caught, not stored as a plain proxy.
      [`http://acme-session-{session:8}:${SECRET}@gw.example:7777`, 'username'],
      [`http://acme:${SECRET}-{sessid}@gw.example:7777`, 'password'],
      [`http://acme:${SECRET}@{session}.gw.example:7777`, 'host'],
    ];
    for (const [url, part] of cases) {
      // A good proxy first: one bad input and none is added.
      const error = await rejection(manager.addProxies(pool, [gatewayUrl(), url]));
      expect(error).toBeInstanceOf(ValidationError);
      const validation = error as ValidationError;
      expect(validation.field).toBe(`proxies[1].url.${part}`);
      const text = `${validation.message} ${validation.hint ?? ''}`;
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('acme');
    }
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
  });
});
