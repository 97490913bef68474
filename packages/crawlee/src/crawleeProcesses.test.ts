// Two Crawlee crawlers in two OS processes share one Leasehold pool: the proxies count
// their own peak concurrency, the site records the cookies it set and saw.

import { type DemoProxy, type ProxyBehaviour, startDemoProxy, startDemoSite } from '@leasehold/cli';
import { ProxyManager } from '@leasehold/client';
import { describeEachTarget, runInChildProcesses } from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import type { CrawlReport, CrawlSettings } from '../test/crawlSupport.js';

const WORKER = new URL('../test/crawl.worker.ts', import.meta.url);

describeEachTarget(
  'Crawlee crawlers in two processes sharing a pool',
  (ctx) => {
    const closers: (() => Promise<void>)[] = [];
    afterEach(async () => {
      await Promise.all(closers.splice(0).map((close) => close()));
    });

    async function setUp(caps: number[], behaviour: ProxyBehaviour = { kind: 'healthy' }) {
      const site = await startDemoSite();
      const proxies: DemoProxy[] = [];
      for (const [i] of caps.entries()) {
        proxies.push(await startDemoProxy(`p${i}`, behaviour));
      }
      closers.push(site.close, ...proxies.map((p) => p.close));
      const prefix = ctx.uniquePrefix();
      const manager = new ProxyManager({ redis: ctx.redis(), prefix });
      const pool = 'crawl';
      await manager.upsertPool({ name: pool, leaseSeconds: 60 });
      await manager.addProxies(
        pool,
        proxies.map((p, i) => ({ url: p.url, maxConcurrency: caps[i] as number })),
      );
      return { site, proxies, manager, prefix, pool };
    }

    const crawl = (prefix: string, settings: (index: number) => CrawlSettings, count: number) =>
      runInChildProcesses<CrawlReport>({
        file: WORKER,
        count,
        payload: (index: number) => ({ target: ctx.target, prefix, settings: settings(index) }),
        timeoutMs: 60_000,
      });

    it('2 processes × 2 concurrent requests on proxies of caps 1 and 2: no cap exceeded', async () => {
      // Slow proxies (50-150 ms a request) so the four crawler slots overlap on them.
      const { site, proxies, manager, prefix, pool } = await setUp([1, 2], {
        kind: 'slow',
        delayMs: 100,
      });
      const reports = await crawl(
        prefix,
        (index) => ({
          startUrls: [`${site.url}/catalog`],
          label: `crawler-${index}`,
          maxConcurrency: 2,
          maxPoolSize: 2,
          followLinks: true,
          leasehold: { pool, consumer: `crawler-${index}` },
        }),
        2,
      );
      // /catalog links to the 5 shop pages, /account and 4 carts: 11 pages per crawler.
      const expected = ['/catalog', ...site.pages, '/account', '/cart/1', '/cart/2', '/cart/3'];
      for (const report of reports) {
        const paths = report.handled.map((url) => url.slice(site.url.length));
        expect(new Set(paths).size).toBe(11);
        expect(paths).toEqual(expect.arrayContaining(expected));
        expect(report.failed).toEqual([]);
        expect(report.leftOpen).toBe(0);
        expect(report.released).toBe(report.acquired);
      }
      // Counted by the proxies themselves: 4 requests wanted at once, 3 allowed.
      expect(proxies[0]?.peak).toBeLessThanOrEqual(1);
      expect(proxies[1]?.peak).toBeLessThanOrEqual(2);
      expect(proxies.reduce((sum, p) => sum + p.served, 0)).toBe(22);
      expect(site.visits.filter((v) => v.crawler === 'crawler-0')).toHaveLength(11);
      expect(site.visits.filter((v) => v.crawler === 'crawler-1')).toHaveLength(11);
      expect(await manager.getPoolStats(pool)).toMatchObject({ totalLeases: 0, leasedProxies: 0 });
      // Every cookie the site saw is one it set (sessions carried them, never mixed them up).
      const set = new Set(site.visits.flatMap((v) => (v.setVisitor ? [v.setVisitor] : [])));
      expect(set.size).toBe(2);
      for (const visit of site.visits) if (visit.visitor) expect(set).toContain(visit.visitor);
    });

    it('a session resumed by another process brings the cookie the site set in the first', async () => {
      const { site, manager, prefix, pool } = await setUp([1, 1]);
      const settings = (label: string, paths: string[]) => () => ({
        startUrls: paths.map((path) => `${site.url}${path}`),
        label,
        maxConcurrency: 1,
        maxPoolSize: 1,
        leasehold: { pool, consumer: label },
      });
      const [first] = await crawl(prefix, settings('first', ['/account']), 1);
      const [second] = await crawl(prefix, settings('second', ['/cart/1', '/cart/2']), 1);
      const sessionId = first?.sessionIds[0] as string;
      expect(first?.sessionIds).toEqual([sessionId]);
      // The second process's crawler got the idle session the first one left, with its data.
      expect(second?.sessionIds).toEqual([sessionId, sessionId]);
      const visitor = site.visits.find((v) => v.crawler === 'first')?.setVisitor;
      expect(visitor).toMatch(/^v\d+$/);
      const carts = site.visits.filter((v) => v.crawler === 'second');
      expect(carts.map((v) => v.visitor)).toEqual([visitor, visitor]);
      const state = await manager.getSessionState(pool, sessionId);
      expect(state).toMatchObject({ status: 'active', leased: false, usageCount: 3 });
      expect(state.data).toContain(`"value":"${visitor}"`);
    });
  },
  { targets: ['standalone'] },
);
