// Real Crawlee 3 crawls (CheerioCrawler) of a loopback site through loopback proxies that
// count what they serve, leasing from a real Redis.

import { CheerioCrawler } from '@crawlee/cheerio';
import { Configuration } from '@crawlee/core';
import {
  type DemoProxy,
  type DemoSite,
  type ProxyBehaviour,
  startDemoProxy,
  startDemoSite,
} from '@leasehold/cli';
import { ProxyManager } from '@leasehold/client';
import {
  describeEachTarget,
  findFreePort,
  TestClock,
  useTestClockLibrary,
} from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { type CrawlSettings, crawlWithLeasehold } from '../test/crawlSupport.js';
import { leaseholdForCrawlee } from './index.js';

useTestClockLibrary();

describeEachTarget(
  'Crawlee 3 crawls through a Leasehold pool',
  (ctx) => {
    const closers: (() => Promise<void>)[] = [];
    afterEach(async () => {
      await Promise.all(closers.splice(0).map((close) => close()));
    });

    async function setUp(caps: number[], behaviour: ProxyBehaviour = { kind: 'healthy' }) {
      const site = await startDemoSite();
      const proxies: DemoProxy[] = [];
      for (const [i] of caps.entries()) proxies.push(await startDemoProxy(`p${i}`, behaviour));
      const manager = new ProxyManager({ redis: ctx.redis(), prefix: ctx.uniquePrefix() });
      closers.push(site.close, ...proxies.map((p) => p.close));
      const pool = 'crawl';
      await manager.upsertPool({ name: pool, leaseSeconds: 60 });
      const records = await manager.addProxies(
        pool,
        proxies.map((p, i) => ({ url: p.url, maxConcurrency: caps[i] as number })),
      );
      return { site, proxies, manager, pool, ids: records.map((r) => r.id) };
    }

    const settings = (site: DemoSite, pool: string, extra: Partial<CrawlSettings>) =>
      ({
        startUrls: [`${site.url}/catalog`],
        label: 'in-process',
        maxConcurrency: 1,
        maxPoolSize: 1,
        leasehold: { pool, resumeWaitMs: 0, waitMs: 5_000 },
        ...extra,
      }) satisfies CrawlSettings;

    it('403: the Leasehold session is retired, the lease released', async () => {
      const { site, manager, pool } = await setUp([1]);
      const report = await crawlWithLeasehold(
        manager,
        settings(site, pool, { startUrls: [`${site.url}/blocked`], maxRequestRetries: 0 }),
      );
      expect(report.failed).toEqual([`${site.url}/blocked`]);
      expect(report).toMatchObject({ acquired: 1, released: 1, leftOpen: 0 });
      const [sessionId] = report.sessionIds;
      expect(await manager.getSessionState(pool, sessionId as string)).toMatchObject({
        status: 'disabled',
        disabledReason: 'blocked',
        leased: false,
      });
      expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
    });

    it('429 + Retry-After: the proxy rests that long for the site, the session lives on', async () => {
      const { site, manager, pool, ids } = await setUp([1]);
      const report = await crawlWithLeasehold(
        manager,
        settings(site, pool, { startUrls: [`${site.url}/limited`], maxRequestRetries: 0 }),
      );
      expect(report.failed).toEqual([`${site.url}/limited`]);
      expect(report).toMatchObject({ acquired: 1, released: 1, leftOpen: 0 });
      const host = new URL(site.url).host;
      const [entry] = await manager.getErrorLog(pool, { proxyId: ids[0] as string, limit: 1 });
      expect(entry).toMatchObject({ category: 'rate_limit', statusCode: 429, scope: host });
      expect((await manager.getSessionState(pool, report.sessionIds[0] as string)).status).toBe(
        'active',
      );
      // Retry-After: 30 — resting for this host only, 30 s of the pool's clock.
      const clock = TestClock.forPool(ctx.redis(), manager.keys, pool);
      expect(await manager.acquireProxy({ pool, scope: host })).toBeNull();
      await clock.advance(29_000);
      expect(await manager.acquireProxy({ pool, scope: host })).toBeNull();
      const other = await manager.acquireProxy({ pool, scope: 'elsewhere.example' });
      expect(other).not.toBeNull();
      await manager.releaseProxy(other as NonNullable<typeof other>);
      await clock.advance(1_500);
      const after = await manager.acquireProxy({ pool, scope: host });
      expect(after?.proxyId).toBe(ids[0]);
    });

    it('a handler that throws: every attempt released, retries exhausted, proxy not blamed', async () => {
      const { site, manager, pool, ids } = await setUp([1]);
      const report = await crawlWithLeasehold(
        manager,
        settings(site, pool, {
          startUrls: [`${site.url}/products/1`],
          throwOn: ['/products/1'],
          maxRequestRetries: 2,
        }),
      );
      expect(report.failed).toEqual([`${site.url}/products/1`]);
      expect(report).toMatchObject({ acquired: 3, released: 3, leftOpen: 0 });
      expect(await manager.getProxyHealth(pool, ids[0] as string)).toMatchObject({
        successes: 3,
        failures: 0,
      });
      expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
    });

    it('a site that is down: each failed attempt reported and released', async () => {
      const { proxies, manager, pool, ids, site } = await setUp([1]);
      const downUrl = `http://127.0.0.1:${await findFreePort()}/gone`;
      const report = await crawlWithLeasehold(
        manager,
        settings(site, pool, { startUrls: [downUrl], maxRequestRetries: 1 }),
      );
      expect(report.failed).toEqual([downUrl]);
      expect(report).toMatchObject({ acquired: 2, released: 2, leftOpen: 0 });
      expect(proxies[0]?.served).toBe(2);
      const health = await manager.getProxyHealth(pool, ids[0] as string);
      expect(health).toMatchObject({ successes: 0, failures: 2 });
      expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
    });

    it('timeouts: a navigation timeout and a handler timeout each release their lease', async () => {
      // The proxy answers after 1-3 s; Crawlee gives up on the navigation after 0.3 s.
      const slowProxy = await setUp([1], { kind: 'slow', delayMs: 2_000 });
      const navigation = await crawlWithLeasehold(
        slowProxy.manager,
        settings(slowProxy.site, slowProxy.pool, {
          startUrls: [`${slowProxy.site.url}/products/2`],
          maxRequestRetries: 0,
          navigationTimeoutSecs: 0.3,
        }),
      );
      expect(navigation.failed).toHaveLength(1);
      expect(navigation).toMatchObject({ acquired: 1, released: 1, leftOpen: 0 });
      const health = await slowProxy.manager.getProxyHealth(
        slowProxy.pool,
        slowProxy.ids[0] as string,
      );
      expect(health.failuresByCategory).toEqual({ timeout: 1 });

      // The handler outlives requestHandlerTimeoutSecs: released when Crawlee gives up on it.
      const { site, manager, pool } = await setUp([1]);
      const handler = await crawlWithLeasehold(
        manager,
        settings(site, pool, {
          startUrls: [`${site.url}/products/3`],
          maxRequestRetries: 0,
          requestHandlerTimeoutSecs: 0.5,
          slowOn: { paths: ['/products/3'], ms: 3_000 },
        }),
      );
      expect(handler.failed).toHaveLength(1);
      expect(handler).toMatchObject({ acquired: 1, released: 1, leftOpen: 0 });
      expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
    });

    it('sticky session in one crawler: the cookie /account set is sent to the carts', async () => {
      const { site, manager, pool } = await setUp([1]);
      const report = await crawlWithLeasehold(
        manager,
        settings(site, pool, { startUrls: [`${site.url}/account`, `${site.url}/cart/1`] }),
      );
      expect(report.handled).toHaveLength(2);
      const set = site.visits.find((v) => v.path === '/account')?.setVisitor;
      expect(set).toMatch(/^v\d+$/);
      expect(site.visits.find((v) => v.path === '/cart/1')?.visitor).toBe(set);
      expect(new Set(report.sessionIds).size).toBe(1);
    });

    it('requests sharing one Crawlee session take turns on its one Leasehold session', async () => {
      // Slow proxies: without turns, the two slots would overlap on the only Crawlee session,
      // and the second request would need a second Leasehold session (and the same jar).
      const { site, manager, pool, proxies } = await setUp([2, 2], { kind: 'slow', delayMs: 100 });
      const report = await crawlWithLeasehold(
        manager,
        settings(site, pool, {
          startUrls: ['/account', '/cart/1', '/cart/2', '/cart/3', '/cart/4'].map(
            (path) => `${site.url}${path}`,
          ),
          maxConcurrency: 2,
          maxPoolSize: 1,
        }),
      );
      expect(report.handled).toHaveLength(5);
      expect(report.sessionIds).toHaveLength(5);
      expect(new Set(report.sessionIds).size).toBe(1);
      expect(proxies.map((p) => p.peak)).toEqual(expect.arrayContaining([1]));
      expect(Math.max(...proxies.map((p) => p.peak))).toBe(1);
      const visitor = site.visits.find((v) => v.path === '/account')?.setVisitor;
      const afterAccount = site.visits.slice(site.visits.findIndex((v) => v.setVisitor));
      expect(
        afterAccount.filter((v) => v.path.startsWith('/cart/')).every((v) => v.visitor === visitor),
      ).toBe(true);
    });

    it("no requestHandler: the crawler's router handles requests, leases still released", async () => {
      const { site, manager, pool } = await setUp([1]);
      const leasehold = leaseholdForCrawlee(manager, { pool });
      const Crawler = leasehold.crawlerClass(CheerioCrawler);
      const crawler = new Crawler(
        { maxRequestRetries: 0 },
        new Configuration({ persistStorage: false }),
      );
      const titles: string[] = [];
      crawler.router.addDefaultHandler(async ({ $ }) => {
        titles.push($('h1').text());
      });
      await crawler.run([`${site.url}/products/2`]);
      expect(titles).toEqual(['Teapot']);
      expect(leasehold.sessions.openSessions).toBe(0);
      expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
    });

    it('crawlerOptions keeps the user options and hooks, adds 429 and the blocked codes', async () => {
      const { manager, pool } = await setUp([1]);
      const leasehold = leaseholdForCrawlee(manager, { pool });
      const hook = () => {};
      const options = leasehold.crawlerOptions({
        maxConcurrency: 3,
        additionalHttpErrorStatusCodes: [418],
        postNavigationHooks: [hook],
        sessionPoolOptions: { maxPoolSize: 5 },
      });
      expect(options).toMatchObject({
        maxConcurrency: 3,
        useSessionPool: true,
        persistCookiesPerSession: true,
        additionalHttpErrorStatusCodes: [418, 429],
        sessionPoolOptions: { maxPoolSize: 5, blockedStatusCodes: [401, 403] },
        proxyConfiguration: leasehold.proxyConfiguration,
      });
      expect(options.postNavigationHooks).toHaveLength(2);
      expect(options.postNavigationHooks?.[1]).toBe(hook);
      expect(() => leaseholdForCrawlee(manager, { pool, scope: 'domain' as never })).toThrow(
        expect.objectContaining({ code: 'VALIDATION', field: 'options.scope' }),
      );
    });
  },
  { targets: ['standalone'] },
);
