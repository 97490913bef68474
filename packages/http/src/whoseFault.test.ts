// leasedFetch counts only the proxy's failures against a proxy. A request fetch refuses is the
// caller's (a ValidationError before any lease); an answer fetch refuses is the site's (one
// attempt, released without an outcome). Either way three calls on a pool of three proxies
// with failureThreshold 3 leave every circuit closed and no failure recorded.
import { ValidationError } from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MisbehavingSite, startMisbehavingSite } from '../test/misbehavingSite.js';
import { served, useHttpFixtures } from '../test/testSupport.js';
import { SiteResponseError } from './errors.js';
import { leasedFetch } from './leasedFetch.js';
import type { LeasedFetchOptions } from './leasedFetchOptions.js';

describeEachTarget('leasedFetch blames a proxy only for its own failures', (ctx) => {
  const fx = useHttpFixtures(ctx);
  let site: MisbehavingSite;
  beforeAll(async () => {
    site = await startMisbehavingSite();
  });
  afterAll(() => site.close());

  async function poolOfThree() {
    const fixture = await fx.pool({ failureThreshold: 3, selector: 'round-robin' });
    const proxies = [await fx.httpProxy(), await fx.httpProxy(), await fx.httpProxy()];
    const records = await fixture.manager.addProxies(
      fixture.pool,
      proxies.map((p) => p.url),
    );
    let acquired = 0;
    fixture.manager.onAcquire(({ lease }) => {
      if (lease) acquired++;
    });
    return { ...fixture, proxies, ids: records.map((r) => r.id), acquired: () => acquired };
  }

  async function expectUnblamed(fixture: Awaited<ReturnType<typeof poolOfThree>>) {
    const { manager, pool, ids } = fixture;
    for (const id of ids) {
      expect(await manager.getProxyState(pool, id)).toMatchObject({
        circuit: 'closed',
        consecutiveFailures: 0,
      });
      expect((await manager.getProxyHealth(pool, id)).failures).toBe(0);
    }
    expect(await manager.getErrorLog(pool, { limit: 10 })).toEqual([]);
    expect((await manager.getPoolStats(pool)).openCircuits).toBe(0);
  }

  const origin = () => fx.sites.http.origin;
  const inputErrors: [string, () => string, Partial<LeasedFetchOptions>, string][] = [
    ['credentials in the URL', () => origin().replace('//', '//user:secret@'), {}, 'url'],
    ['CONNECT', origin, { init: { method: 'CONNECT' } }, 'init.method'],
    ['trace (any case)', origin, { init: { method: 'trace' } }, 'init.method'],
    ['a method that is no token', origin, { init: { method: 'GE T' } }, 'init.method'],
    ['a GET with a body', origin, { init: { body: 'x' } }, 'init.body'],
    ['a HEAD with a body', origin, { init: { method: 'HEAD', body: 'x' } }, 'init.body'],
    [
      'CR/LF in a header',
      origin,
      { init: { headers: { 'x-foo': 'a\r\nb: c' } } },
      'init.headers.x-foo',
    ],
    ['NUL in a header', origin, { init: { headers: [['X-Foo', 'a\0b']] } }, 'init.headers.x-foo'],
    [
      'a header beyond Latin-1',
      origin,
      { init: { headers: { 'x-foo': 'a€' } } },
      'init.headers.x-foo',
    ],
    ['a header name with a space', origin, { init: { headers: { 'x foo': 'a' } } }, 'init.headers'],
    [
      'a framing header',
      origin,
      { init: { method: 'POST', body: 'x', headers: { 'transfer-encoding': 'chunked' } } },
      'init.headers.transfer-encoding',
    ],
    ['Expect', origin, { init: { headers: { expect: '100-continue' } } }, 'init.headers.expect'],
    ['a blocked port', () => 'http://127.0.0.1:6000/', {}, 'url'],
    ['an unknown redirect mode', origin, { init: { redirect: 'sideways' as never } }, 'init'],
    ['a 254-character host name', () => `http://${'a.'.repeat(127)}example/`, {}, 'url'],
    ['a 64-character label', () => `http://${'a'.repeat(64)}.example/`, {}, 'url'],
  ];

  it.each(inputErrors)(
    '%s: a ValidationError naming the field, before any lease',
    async (_, url, extra, field) => {
      const fixture = await poolOfThree();
      for (let call = 0; call < 3; call++) {
        const error = await leasedFetch(fixture.manager, url(), {
          pool: fixture.pool,
          ...extra,
        }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
        expect((error as Error).message).not.toContain('secret');
      }
      expect(fixture.acquired()).toBe(0);
      expect(fixture.proxies.map(served)).toEqual([0, 0, 0]);
      for (const id of fixture.ids) {
        expect((await fixture.manager.getProxyState(fixture.pool, id)).usageCount).toBe(0);
      }
      await expectUnblamed(fixture);
    },
  );

  const siteErrors: [string, string, number][] = [
    // Path, and the hits one call makes: the first request and fetch's 20 redirects.
    ['a redirect loop', '/loop', 21],
    ['a redirect to ftp:', '/to-ftp', 1],
    ['a redirect to a blocked port', '/to-blocked-port', 1],
    ['a reply that is not HTTP', '/garbled', 1],
    ['a Content-Length that is no number', '/bad-length', 1],
  ];

  it.each(siteErrors)("%s is the site's: one attempt, no proxy blamed", async (_, path, hits) => {
    const fixture = await poolOfThree();
    const before = site.hits(path);
    for (let call = 0; call < 3; call++) {
      const error = await leasedFetch(fixture.manager, `${site.origin}${path}`, {
        pool: fixture.pool,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SiteResponseError);
      expect(error).toMatchObject({ code: 'SITE_RESPONSE_REFUSED', field: 'url' });
    }
    // Not retried on another proxy: one lease per call.
    expect(fixture.acquired()).toBe(3);
    expect(site.hits(path) - before).toBe(3 * hits);
    await expectUnblamed(fixture);
  });

  it("garbage in answer to CONNECT is the proxy's: a network failure, retried elsewhere", async () => {
    const { manager, pool } = await fx.pool({ selector: 'round-robin' });
    const good = await fx.httpProxy();
    const [notAProxy, alive] = await manager.addProxies(pool, [site.notAProxyUrl, good.url]);
    const warm = await manager.acquireProxy({ pool, filters: { exclude: [notAProxy?.id ?? ''] } });
    if (warm) await manager.releaseProxy(warm);

    const res = await leasedFetch(manager, `${origin()}/ok`, { pool });
    expect(await res.text()).toBe('ok');
    expect(res.attempts).toBe(2);
    expect(res.lease.proxyId).toBe(alive?.id);
    const [failure] = await manager.getErrorLog(pool, { proxyId: notAProxy?.id ?? '', limit: 1 });
    expect(failure).toMatchObject({ type: 'failure', category: 'network' });
  });
});
