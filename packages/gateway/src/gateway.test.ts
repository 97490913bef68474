// The gateway against real parts: the harness's Redis, upstream forward proxies that count
// what they served, the loopback target site (http and https), curl and Node's http client.
import { writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@leasehold/core';
import { describeEachTarget, must, startSocksProxy } from '@leasehold/testing';
import { expect, it, onTestFinished, vi } from 'vitest';
import {
  basic,
  connectVia,
  curl,
  TOKEN,
  UPSTREAM_AUTH,
  useGatewayFixtures,
  viaGateway,
} from '../test/gatewaySupport.js';
import { GatewayTokenRequiredError, startGateway } from './index.js';

const AUTH = basic('', TOKEN);

describeEachTarget('gateway', (ctx) => {
  const fx = useGatewayFixtures(ctx);

  it('curl, plain http: forwarded through the leased upstream, x-leasehold-proxy on the answer, lease released', async () => {
    const { gateway, proxies, idOf, manager, pool } = await fx.setup([{}]);
    const out = await curl(gateway, `${fx.sites.http.origin}/cookies`, ['-H', 'cookie: sid=42']);
    expect(out).toMatch(/^HTTP\/1\.1 200/);
    expect(out.toLowerCase()).toContain(`x-leasehold-proxy: ${idOf(0)}`.toLowerCase());
    expect(out.endsWith('sid=42')).toBe(true);
    expect(proxies[0]?.requests).toBe(1);
    expect((await manager.getProxyHealth(pool, idOf(0))).successes).toBe(1);
    expect(out).not.toContain(UPSTREAM_AUTH.password);
  });

  it('curl, https through CONNECT: a tunnel through the upstream, x-leasehold-proxy on the 200', async () => {
    const { gateway, proxies, idOf } = await fx.setup([{}]);
    const caFile = join(tmpdir(), `gateway-ca-${process.pid}-${Date.now()}.pem`);
    await writeFile(caFile, fx.sites.https.ca ?? '');
    const out = await curl(gateway, `${fx.sites.https.origin}/ok`, ['--cacert', caFile]);
    expect(out).toMatch(/^HTTP\/1\.1 200 Connection Established/);
    expect(out).toContain(`x-leasehold-proxy: ${idOf(0)}`);
    expect(out.endsWith('ok')).toBe(true);
    expect(proxies[0]?.tunnels).toBe(1);
  });

  it('a SOCKS5 upstream: plain http over a SOCKS connection, https through a SOCKS tunnel', async () => {
    const { gateway, manager, pool } = await fx.setup([]);
    const socks = await startSocksProxy(UPSTREAM_AUTH);
    onTestFinished(() => socks.close());
    const [record] = await manager.addProxies(pool, [socks.url]);
    const res = await viaGateway(gateway, `${fx.sites.http.origin}/ok`, AUTH);
    expect([res.status, res.body, res.headers['x-leasehold-proxy']]).toEqual([
      200,
      'ok',
      record?.id,
    ]);
    const caFile = join(tmpdir(), `gateway-ca-${process.pid}-${Date.now()}.pem`);
    await writeFile(caFile, fx.sites.https.ca ?? '');
    const out = await curl(gateway, `${fx.sites.https.origin}/ok`, ['--cacert', caFile]);
    expect(out.endsWith('ok')).toBe(true);
    expect(socks.tunnels).toBe(2);
    expect(socks.usernames).toEqual([UPSTREAM_AUTH.username, UPSTREAM_AUTH.username]);
  });

  it('a SOCKS upstream refusing its credentials: 502 upstream_failed, counted against the proxy', async () => {
    const { gateway, manager, pool } = await fx.setup([]);
    const socks = await startSocksProxy(UPSTREAM_AUTH);
    onTestFinished(() => socks.close());
    const url = new URL(socks.url);
    url.password = 'wrong-pass';
    const [record] = await manager.addProxies(pool, [url.href]);
    const res = await viaGateway(gateway, `${fx.sites.http.origin}/ok`, AUTH);
    expect([res.status, res.headers['x-leasehold-error']]).toEqual([502, 'upstream_failed']);
    const tunnel = await connectVia(gateway, `127.0.0.1:${fx.sites.https.port}`, AUTH);
    expect([tunnel.status, tunnel.headers['x-leasehold-error']]).toEqual([502, 'upstream_failed']);
    tunnel.socket.destroy();
    expect((await manager.getProxyHealth(pool, record?.id ?? '')).failures).toBe(2);
    const [entry] = await manager.getErrorLog(pool, { limit: 1 });
    expect(JSON.stringify(entry)).not.toContain('wrong-pass');
    expect(res.body).not.toContain('wrong-pass');
  });

  it('no token or a wrong one: 407 with the realm and auth_required, nothing leased', async () => {
    const { gateway, proxies } = await fx.setup([{}]);
    for (const authorization of [undefined, basic('', 'wrong-token-0123456789'), 'Bearer x']) {
      const res = await viaGateway(gateway, `${fx.sites.http.origin}/ok`, authorization);
      expect(res.status).toBe(407);
      expect(res.headers['proxy-authenticate']).toBe('Basic realm="leasehold"');
      expect(res.headers['x-leasehold-error']).toBe('auth_required');
      const tunnel = await connectVia(gateway, '127.0.0.1:443', authorization);
      expect(tunnel.status).toBe(407);
      expect(tunnel.headers['x-leasehold-error']).toBe('auth_required');
      tunnel.socket.destroy();
    }
    expect(proxies[0]?.requests).toBe(0);
    expect(proxies[0]?.tunnels).toBe(0);
  });

  it('a bad username or an unknown pool: 400 from the gateway itself, nothing leased', async () => {
    const { gateway, proxies } = await fx.setup([{}]);
    const cases = [
      ['colour=red,wat', 'bad_username'],
      ['Bogus=1', 'bad_username'],
      ['wait=soon', 'bad_username'],
      ['pool=nope', 'pool_not_found'],
    ] as const;
    for (const [username, code] of cases) {
      const res = await viaGateway(gateway, `${fx.sites.http.origin}/ok`, basic(username, TOKEN));
      expect([res.status, res.headers['x-leasehold-error']]).toEqual([400, code]);
      const tunnel = await connectVia(
        gateway,
        `127.0.0.1:${fx.sites.https.port}`,
        basic(username, TOKEN),
      );
      expect([tunnel.status, tunnel.headers['x-leasehold-error']]).toEqual([400, code]);
      tunnel.socket.destroy();
    }
    expect(proxies[0]?.requests).toBe(0);
    expect(proxies[0]?.tunnels).toBe(0);
  });

  it('no proxy free within the wait: 503 with Retry-After and no_proxy_available', async () => {
    const { gateway, idOf } = await fx.setup([{ maxConcurrency: 1 }]);
    const held = await connectVia(gateway, `127.0.0.1:${fx.sites.https.port}`, AUTH);
    expect(held.status).toBe(200);
    expect(held.headers['x-leasehold-proxy']).toBe(idOf(0));
    const res = await viaGateway(gateway, `${fx.sites.http.origin}/ok`, basic('wait=0', TOKEN));
    expect(res.status).toBe(503);
    expect(res.headers['x-leasehold-error']).toBe('no_proxy_available');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A label no proxy carries matches nothing.
    const labelled = await viaGateway(
      gateway,
      `${fx.sites.http.origin}/ok`,
      basic('wait=0,country=ZZ', TOKEN),
    );
    expect(labelled.headers['x-leasehold-error']).toBe('no_proxy_available');
    held.socket.destroy();
    // Once the tunnel closed its lease is back: the next request gets the proxy.
    const after = await viaGateway(
      gateway,
      `${fx.sites.http.origin}/ok`,
      basic('wait=5000', TOKEN),
    );
    expect(after.status).toBe(200);
  });

  it("concurrent clients never exceed an upstream's cap, as the upstream counts it", async () => {
    const { gateway, proxies } = await fx.setup([{ maxConcurrency: 2 }, { maxConcurrency: 1 }]);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        viaGateway(gateway, `${fx.sites.http.origin}/slow?ms=30`, basic('wait=20000', TOKEN)),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(proxies[0]?.peak).toBeLessThanOrEqual(2);
    expect(proxies[1]?.peak).toBeLessThanOrEqual(1);
    expect((proxies[0]?.requests ?? 0) + (proxies[1]?.requests ?? 0)).toBe(12);
  });

  it('a 429 with Retry-After rests that proxy for that host, passed through to the client', async () => {
    const { gateway, proxies, idOf, prefix, pool, manager } = await fx.setup([{}, {}]);
    const res = await viaGateway(gateway, `${fx.sites.http.origin}/429?after=7`, AUTH);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    const rested = String(res.headers['x-leasehold-proxy']);
    expect(proxies.map((p) => idOf(p))).toContain(rested);
    const [seconds, micros] = await ctx.redis().time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const until = Number(
      await ctx.redis().zscore(`${prefix}:{${pool}}:scope:127.0.0.1:rest`, rested),
    );
    expect(until - now).toBeGreaterThan(6000);
    expect(until - now).toBeLessThanOrEqual(7000);
    const [entry] = await manager.getErrorLog(pool, { proxyId: rested, limit: 1 });
    expect(entry).toMatchObject({ category: 'rate_limit', statusCode: 429, scope: '127.0.0.1' });
    // Under that host the other proxy answers now.
    const next = await viaGateway(gateway, `${fx.sites.http.origin}/ok`, AUTH);
    expect(next.headers['x-leasehold-proxy']).not.toBe(rested);
  });

  it("an upstream's 407 is the client's 502 upstream_failed, never relayed", async () => {
    const { gateway, proxies, manager, pool, idOf } = await fx.setup([
      { credentials: { username: 'up-user', password: 'wrong-pass' } },
    ]);
    const res = await viaGateway(gateway, `${fx.sites.http.origin}/ok`, AUTH);
    expect([res.status, res.headers['x-leasehold-error']]).toEqual([502, 'upstream_failed']);
    expect(res.headers['proxy-authenticate']).toBeUndefined();
    const tunnel = await connectVia(gateway, `127.0.0.1:${fx.sites.https.port}`, AUTH);
    expect([tunnel.status, tunnel.headers['x-leasehold-error']]).toEqual([502, 'upstream_failed']);
    tunnel.socket.destroy();
    expect(proxies[0]?.refused).toBe(2);
    expect((await manager.getProxyHealth(pool, idOf(0))).failures).toBe(2);
    expect(JSON.stringify([res, tunnel.headers])).not.toContain('wrong-pass');
  });

  it('close() mid-request and mid-tunnel: cuts them after the grace period and releases every lease', async () => {
    const { gateway, proxies, manager, pool } = await fx.setup([{}], { graceMs: 0 });
    const hanging = viaGateway(gateway, `${fx.sites.http.origin}/slow`, AUTH).catch(
      (e: Error) => e,
    );
    const tunnel = await connectVia(gateway, `127.0.0.1:${fx.sites.https.port}`, AUTH);
    await vi.waitFor(() => expect(proxies[0]?.inFlight).toBe(2));
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(2);
    const closedSocket = new Promise((resolve) => tunnel.socket.once('close', resolve));
    await gateway.close();
    expect(await hanging).toBeInstanceOf(Error);
    await closedSocket;
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
  });

  it('a client gone while its request waited for a proxy: the lease it then gets is released', async () => {
    const { gateway, manager, pool } = await fx.setup([{ maxConcurrency: 1 }]);
    const held = await connectVia(gateway, `127.0.0.1:${fx.sites.https.port}`, AUTH);
    const waiting = httpRequest({
      host: '127.0.0.1',
      port: gateway.port,
      path: `${fx.sites.http.origin}/ok`,
      headers: { 'proxy-authorization': basic('wait=20000', TOKEN) },
      agent: false,
    });
    waiting.on('error', () => {});
    waiting.end();
    await vi.waitFor(async () => {
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toContain('leasehold_gateway_open 2');
    });
    waiting.destroy();
    held.socket.destroy();
    // The waiting request gets the freed proxy, finds its client gone and gives it back.
    await vi.waitFor(async () => {
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toContain('leasehold_gateway_open 0');
    });
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
  });

  it('close() lets an open tunnel finish within the grace period, refusing new connections meanwhile', async () => {
    const { gateway, manager, pool } = await fx.setup([{}], { graceMs: 60_000 });
    const tunnel = await connectVia(gateway, `127.0.0.1:${fx.sites.https.port}`, AUTH);
    expect(tunnel.status).toBe(200);
    const closed = gateway.close();
    await expect(viaGateway(gateway, `${fx.sites.http.origin}/ok`, AUTH)).rejects.toThrow();
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
    tunnel.socket.end();
    await closed;
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
  });

  it('session=<id> resumes that Leasehold session: its proxy, echoed in x-leasehold-session', async () => {
    const { gateway, manager, pool } = await fx.setup([{}, {}]);
    const first = must(await manager.acquireProxy({ pool, session: true }));
    await manager.releaseProxy(first, { ok: true });
    const id = must(first.session).id;
    for (let i = 0; i < 2; i++) {
      const res = await viaGateway(
        gateway,
        `${fx.sites.http.origin}/ok`,
        basic(`session=${id}`, TOKEN),
      );
      expect(res.headers['x-leasehold-session']).toBe(id);
      expect(res.headers['x-leasehold-proxy']).toBe(first.proxyId);
    }
    const unknown = await viaGateway(
      gateway,
      `${fx.sites.http.origin}/ok`,
      basic('session=nope', TOKEN),
    );
    expect([unknown.status, unknown.headers['x-leasehold-error']]).toEqual([
      400,
      'session_not_found',
    ]);
  });

  it('a bind beyond loopback without a token refuses to start, with a typed error', async () => {
    const prefix = ctx.uniquePrefix();
    const refused = await startGateway({
      redis: ctx.redis(),
      prefix,
      pool: 'scrape',
      host: '0.0.0.0',
      port: 0,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayTokenRequiredError);
    expect(refused).toMatchObject({ code: 'VALIDATION', field: 'token' });
    // The dashboard's rules (one module serves both): no whitespace, not one repeated character.
    for (const token of ['short', 'sixteen chars ok', '\t0123456789abcdef', 'a'.repeat(16)]) {
      const bad = await startGateway({
        redis: ctx.redis(),
        prefix,
        pool: 'scrape',
        port: 0,
        token,
      }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ValidationError);
      expect(bad).toMatchObject({ field: 'token' });
      expect(String((bad as Error).message)).not.toContain(token);
    }
    const typo = await startGateway({
      redis: ctx.redis(),
      prefix,
      pool: 'scrape',
      host: '127.999.1.1',
      port: 0,
    }).catch((e: unknown) => e);
    expect(typo).toMatchObject({ code: 'VALIDATION', field: 'host' });
  });

  it('GET /healthz and /metrics on the same port, for loopback Host headers only, with a CSP', async () => {
    const { gateway } = await fx.setup([{}]);
    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-security-policy')).toContain("default-src 'none'");
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('leasehold_gateway_requests_total 0');
    // A DNS-rebinding page reaches the port under its own name.
    const rebound = await viaGateway(gateway, '/healthz', undefined, { host: 'evil.example' });
    expect([rebound.status, rebound.headers['x-leasehold-error']]).toEqual([
      403,
      'host_not_allowed',
    ]);
    expect(rebound.headers['content-security-policy']).toContain("default-src 'none'");
  });
});
