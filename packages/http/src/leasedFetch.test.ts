// leasedFetch against real loopback proxies and a loopback site: outcomes classified and
// reported, proxy failures retried on another proxy, others not, and every lease released
// (useHttpFixtures checks that the pool has no live lease after each test).
import { ProxyManager } from '@leasehold/client';
import { LeaseholdError, NoProxyAvailableError, ValidationError } from '@leasehold/core';
import { describeEachTarget, findFreePort } from '@leasehold/testing';
import type { Cluster } from 'ioredis';
import { expect, it, vi } from 'vitest';
import { PASSWORD, served, USER, useHttpFixtures } from '../test/testSupport.js';
import { AttemptsExhaustedError, ResponseTooLargeError } from './errors.js';
import { leasedFetch } from './leasedFetch.js';

describeEachTarget('leasedFetch', (ctx) => {
  const fx = useHttpFixtures(ctx);

  /** A proxy URL on a loopback port nobody listens on: the connection is refused. */
  async function deadProxyUrl(): Promise<string> {
    return `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${await findFreePort()}`;
  }

  it('fetches through the leased proxy: body read, lease attached and released, success recorded', async () => {
    const { manager, pool } = await fx.pool();
    const proxy = await fx.httpProxy();
    const [record] = await manager.addProxies(pool, [proxy.url]);
    const res = await leasedFetch(manager, `${fx.sites.http.origin}/cookies`, {
      pool,
      init: { headers: { cookie: 'sid=42' } },
    });
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(1);
    expect(res.lease.proxyId).toBe(record?.id);
    expect(res.lease.scope).toBe('127.0.0.1');
    expect(res.headers.get('set-cookie')).toBe('visited=1; Path=/');
    // The body is held in memory: the response still says where it came from, reads twice.
    expect(res.url).toBe(`${fx.sites.http.origin}/cookies`);
    expect(res.redirected).toBe(false);
    expect(res.bodyUsed).toBe(false);
    const copy = res.clone();
    expect(copy.url).toBe(res.url);
    expect(copy.redirected).toBe(false);
    expect(await copy.text()).toBe('sid=42');
    expect(await res.text()).toBe('sid=42');
    expect(served(proxy)).toBe(1);
    expect(proxy.usernames).toEqual([USER]);
    const health = await manager.getProxyHealth(pool, record?.id ?? '');
    expect(health).toMatchObject({ successes: 1, failures: 0 });
    expect(health.latency.samples).toBe(1);
  });

  it('https targets and SOCKS5 proxies, with a private CA', async () => {
    const { manager, pool } = await fx.pool();
    const socks = await fx.socksProxy();
    await manager.addProxies(pool, [socks.url]);
    const res = await leasedFetch(manager, `${fx.sites.https.origin}/ok`, {
      pool,
      tls: { ca: fx.sites.https.ca },
    });
    expect(await res.text()).toBe('ok');
    expect(socks.tunnels).toBe(1);
    expect(socks.usernames).toEqual([USER]);
  });

  it('a 429 with Retry-After rests that proxy for the URL host for that long, then another proxy answers', async () => {
    const { manager, pool, prefix } = await fx.pool({ selector: 'round-robin' });
    const first = await fx.httpProxy();
    const second = await fx.httpProxy();
    const [a, b] = await manager.addProxies(pool, [first.url, second.url]);
    const res429 = await leasedFetch(manager, `${fx.sites.http.origin}/429?after=7`, {
      pool,
      maxAttempts: 1,
    });
    expect(res429.status).toBe(429);
    expect(res429.attempts).toBe(1);
    expect(await res429.text()).toBe('slow down');
    const rested = res429.lease.proxyId;
    const [seconds, micros] = await ctx.redis().time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const restKey = `${prefix}:{${pool}}:scope:127.0.0.1:rest`;
    const until = Number(await ctx.redis().zscore(restKey, rested));
    // Rested from the release (just before `now`) for 7 s.
    expect(until - now).toBeGreaterThan(6000);
    expect(until - now).toBeLessThanOrEqual(7000);
    const [entry] = await manager.getErrorLog(pool, { proxyId: rested, limit: 1 });
    expect(entry).toMatchObject({ category: 'rate_limit', statusCode: 429, scope: '127.0.0.1' });
    // A 429 is not a failure of the proxy's health.
    expect((await manager.getProxyHealth(pool, rested)).failures).toBe(0);

    // Under that host the rested proxy is skipped; another host may still use it.
    const next = await leasedFetch(manager, `${fx.sites.http.origin}/ok`, { pool });
    expect(next.lease.proxyId).not.toBe(rested);
    expect([a?.id, b?.id]).toContain(next.lease.proxyId);
    const elsewhere = await manager.acquireProxy({ pool, scope: 'other.example' });
    expect(elsewhere).not.toBeNull();
    if (elsewhere) await manager.releaseProxy(elsewhere);
  });

  it('a 429 is retried on another proxy; when all are rate limited the last 429 is returned', async () => {
    const { manager, pool } = await fx.pool();
    const proxies = [await fx.httpProxy(), await fx.httpProxy()];
    await manager.addProxies(
      pool,
      proxies.map((p) => p.url),
    );
    const before = fx.sites.http.hits('/429');
    const res = await leasedFetch(manager, `${fx.sites.http.origin}/429?after=30`, {
      pool,
      maxAttempts: 3,
    });
    // Two proxies, both now resting for this host: the third attempt finds none.
    expect(res.status).toBe(429);
    expect(res.attempts).toBe(2);
    expect(fx.sites.http.hits('/429') - before).toBe(2);
    expect(proxies.map(served)).toEqual([1, 1]);
  });

  it('a refused proxy connection is a network failure, and the request is retried on another proxy', async () => {
    const { manager, pool } = await fx.pool({ selector: 'round-robin' });
    const live = await fx.httpProxy();
    const [dead, alive] = await manager.addProxies(pool, [await deadProxyUrl(), live.url]);
    // Round-robin takes the least recently leased first: make that the dead one.
    const warm = await manager.acquireProxy({ pool, filters: { exclude: [dead?.id ?? ''] } });
    if (warm) await manager.releaseProxy(warm);

    const res = await leasedFetch(manager, `${fx.sites.http.origin}/ok`, { pool });
    expect(await res.text()).toBe('ok');
    expect(res.attempts).toBe(2);
    expect(res.lease.proxyId).toBe(alive?.id);
    expect(served(live)).toBe(1);
    const [failure] = await manager.getErrorLog(pool, { proxyId: dead?.id ?? '', limit: 1 });
    expect(failure).toMatchObject({ type: 'failure', category: 'network' });
    expect(failure?.message).toContain('ECONNREFUSED');
    expect(failure?.message).not.toContain(PASSWORD);
  });

  it('a 404 is the site answering: not retried, and a success for the proxy', async () => {
    const { manager, pool } = await fx.pool();
    const proxies = [await fx.httpProxy(), await fx.httpProxy()];
    await manager.addProxies(
      pool,
      proxies.map((p) => p.url),
    );
    const before = fx.sites.http.hits('/404');
    const res = await leasedFetch(manager, `${fx.sites.http.origin}/404`, { pool });
    expect(res.status).toBe(404);
    expect(res.attempts).toBe(1);
    expect(await res.text()).toBe('not found');
    expect(fx.sites.http.hits('/404') - before).toBe(1);
    expect(proxies.map(served).reduce((x, y) => x + y)).toBe(1);
    expect(await manager.getProxyHealth(pool, res.lease.proxyId)).toMatchObject({
      successes: 1,
      failures: 0,
    });
  });

  it('a 500 is returned as it is (not retried) and counted as a server failure', async () => {
    const { manager, pool } = await fx.pool();
    await manager.addProxies(pool, [(await fx.httpProxy()).url, (await fx.httpProxy()).url]);
    const res = await leasedFetch(manager, `${fx.sites.http.origin}/500`, { pool });
    expect(res.status).toBe(500);
    expect(res.attempts).toBe(1);
    const [entry] = await manager.getErrorLog(pool, { limit: 1 });
    expect(entry).toMatchObject({ category: 'server', statusCode: 500 });
  });

  it('wrong proxy credentials (407) are an auth failure and go to another proxy', async () => {
    const { manager, pool } = await fx.pool({ selector: 'round-robin' });
    const proxy = await fx.httpProxy();
    const wrongUrl = proxy.url.replace(encodeURIComponent(PASSWORD), 'wrong-secret');
    const good = await fx.httpProxy();
    const [wrong] = await manager.addProxies(pool, [wrongUrl, good.url]);
    const warm = await manager.acquireProxy({ pool, filters: { exclude: [wrong?.id ?? ''] } });
    if (warm) await manager.releaseProxy(warm);

    // https: a CONNECT tunnel refused with 407 surfaces as a thrown error from undici.
    const res = await leasedFetch(manager, `${fx.sites.https.origin}/ok`, {
      pool,
      tls: { ca: fx.sites.https.ca },
    });
    expect(res.attempts).toBe(2);
    expect(await res.text()).toBe('ok');
    expect(proxy.refused).toBe(1);
    const [failure] = await manager.getErrorLog(pool, { proxyId: wrong?.id ?? '', limit: 1 });
    expect(failure).toMatchObject({ category: 'auth' });
    expect(failure?.message).toContain('407');
  });

  it('timeouts per attempt: each proxy tried once, then a typed error with no credentials', async () => {
    const { manager, pool } = await fx.pool();
    const proxies = [await fx.httpProxy(), await fx.httpProxy()];
    await manager.addProxies(
      pool,
      proxies.map((p) => p.url),
    );
    const failure = await leasedFetch(manager, `${fx.sites.http.origin}/slow`, {
      pool,
      timeoutMs: 150,
      maxAttempts: 5,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AttemptsExhaustedError);
    const error = failure as AttemptsExhaustedError;
    expect(error.code).toBe('ATTEMPTS_EXHAUSTED');
    expect(error.attempts).toBe(2);
    expect(error.message).toContain('timed out after 150 ms');
    expect(error.message).not.toContain(PASSWORD);
    expect(error.cause).toBeDefined();
    const log = await manager.getErrorLog(pool, { limit: 10 });
    expect(log.filter((e) => e.category === 'timeout')).toHaveLength(2);
  });

  it('a user abort releases the lease without an outcome and rethrows the AbortError', async () => {
    const { manager, pool } = await fx.pool();
    const proxy = await fx.httpProxy();
    const [record] = await manager.addProxies(pool, [proxy.url]);
    const controller = new AbortController();
    const slowHits = fx.sites.http.hits('/slow');
    const pending = leasedFetch(manager, `${fx.sites.http.origin}/slow`, {
      pool,
      init: { signal: controller.signal },
    });
    // Abort once the request is at the site (polled, bounded), not after a guessed delay.
    const deadline = Date.now() + 5000;
    while (fx.sites.http.hits('/slow') === slowHits && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(fx.sites.http.hits('/slow')).toBe(slowHits + 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const health = await manager.getProxyHealth(pool, record?.id ?? '');
    expect(health).toMatchObject({ successes: 0, failures: 0 });
    // An already aborted signal leases nothing.
    const okHits = fx.sites.http.hits('/ok');
    await expect(
      leasedFetch(manager, `${fx.sites.http.origin}/ok`, {
        pool,
        init: { signal: controller.signal },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(fx.sites.http.hits('/ok')).toBe(okHits);
    expect((await manager.getProxyState(pool, record?.id ?? '')).usageCount).toBe(1);
  });

  it('an abort while it waits for a free proxy rejects with the AbortError at once', async () => {
    const { manager, pool, prefix } = await fx.pool();
    await manager.addProxies(pool, [{ url: (await fx.httpProxy()).url, maxConcurrency: 1 }]);
    const held = await manager.acquireProxy({ pool });
    // A manager on a named connection: CLIENT LIST shows when its acquire ran (it waits then).
    const name = `fetcher-${prefix}`;
    const redis = await ctx.newClient({ connectionName: name });
    const waiter = new ProxyManager({ redis, prefix });
    const controller = new AbortController();
    const pending = leasedFetch(waiter, `${fx.sites.http.origin}/ok`, {
      pool,
      waitMs: 3000,
      init: { signal: controller.signal },
    });
    const nodes = 'nodes' in ctx.redis() ? (ctx.redis() as Cluster).nodes('master') : [ctx.redis()];
    await vi.waitFor(
      async () => {
        const lists = await Promise.all(nodes.map((n) => n.client('LIST') as Promise<string>));
        expect(lists.join('\n')).toMatch(new RegExp(`name=${name} [^\\n]*cmd=fcall`));
      },
      { timeout: 5_000, interval: 10 },
    );
    const abortedAt = performance.now();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - abortedAt).toBeLessThan(500);
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
    if (held) await manager.releaseProxy(held);
    await waiter.close();
  });

  it('a body past maxBodyBytes is a typed error; the lease is released', async () => {
    const { manager, pool } = await fx.pool();
    await manager.addProxies(pool, [(await fx.httpProxy()).url]);
    await expect(
      leasedFetch(manager, `${fx.sites.http.origin}/bytes?n=5000`, { pool, maxBodyBytes: 4096 }),
    ).rejects.toBeInstanceOf(ResponseTooLargeError);
    const ok = await leasedFetch(manager, `${fx.sites.http.origin}/bytes?n=4096`, {
      pool,
      maxBodyBytes: 4096,
    });
    expect((await ok.text()).length).toBe(4096);
  });

  it('no proxy available: NoProxyAvailableError; bad input: ValidationError before any lease', async () => {
    const { manager, pool } = await fx.pool();
    await expect(
      leasedFetch(manager, `${fx.sites.http.origin}/ok`, { pool }),
    ).rejects.toBeInstanceOf(NoProxyAvailableError);
    const proxy = await fx.httpProxy();
    await manager.addProxies(pool, [proxy.url]);
    const bad: [unknown, Record<string, unknown>, string][] = [
      ['ftp://example.com/x', { pool }, 'url'],
      ['not a url', { pool }, 'url'],
      [`${fx.sites.http.origin}/ok`, { pool, maxAttempts: 11 }, 'maxAttempts'],
      [`${fx.sites.http.origin}/ok`, { pool, timeoutMs: 0 }, 'timeoutMs'],
      [`${fx.sites.http.origin}/ok`, { pool, maxBodyBytes: -1 }, 'maxBodyBytes'],
      [`${fx.sites.http.origin}/ok`, { pool, init: { dispatcher: {} } }, 'init.dispatcher'],
      [`${fx.sites.http.origin}/ok`, { pool, bogus: 1 }, 'bogus'],
    ];
    for (const [url, options, field] of bad) {
      const error = await leasedFetch(manager, url as string, options as never).catch((e) => e);
      expect(error, String(url)).toBeInstanceOf(ValidationError);
      expect(error).toBeInstanceOf(LeaseholdError);
      expect((error as ValidationError).field).toBe(field);
    }
    expect(served(proxy)).toBe(0);
  });
});
