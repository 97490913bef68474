// What Crawlee itself refuses is not the proxy's failure: a response Crawlee will not parse (a
// PDF, a text/plain 404 or 429) is classified by its status and headers, and a SOCKS proxy,
// which Crawlee 3's HTTP client cannot use, is never handed to it. Real CheerioCrawler crawls
// through real loopback proxies, leasing from a real Redis.
import { createServer, type Server } from 'node:http';
import { ProxyManager } from '@leasehold/client';
import {
  describeEachTarget,
  type LoopbackProxy,
  startHttpProxy,
  startSocksProxy,
} from '@leasehold/testing';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { crawlWithLeasehold } from '../test/crawlSupport.js';

/** Answers that are not HTML: Crawlee's CheerioCrawler refuses their content type. */
function startSite(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    const plain = { 'content-type': 'text/plain' };
    if (path === '/report.pdf') res.writeHead(200, { 'content-type': 'application/pdf' });
    else if (path === '/limited') res.writeHead(429, { ...plain, 'retry-after': '30' });
    else if (path === '/page') res.writeHead(200, { 'content-type': 'text/html' });
    else res.writeHead(404, plain);
    res.end(path === '/page' ? '<title>page</title>' : 'not html');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    }),
  );
}

describeEachTarget(
  "Crawlee's own refusals are not the proxy's",
  (ctx) => {
    let site: { server: Server; origin: string };
    const proxies: LoopbackProxy[] = [];
    beforeAll(async () => {
      site = await startSite();
    });
    afterAll(() => new Promise<void>((resolve) => site.server.close(() => resolve())));
    afterEach(async () => {
      await Promise.all(proxies.splice(0).map((p) => p.close()));
    });

    async function poolOf(...started: LoopbackProxy[]) {
      proxies.push(...started);
      const manager = new ProxyManager({ redis: ctx.redis(), prefix: ctx.uniquePrefix() });
      const pool = 'crawl';
      await manager.upsertPool({ name: pool, failureThreshold: 3, selector: 'round-robin' });
      const records = await manager.addProxies(
        pool,
        started.map((p) => p.url),
      );
      return { manager, pool, ids: records.map((r) => r.id) };
    }

    const crawl = (manager: ProxyManager, pool: string, paths: string[]) =>
      crawlWithLeasehold(manager, {
        startUrls: paths.map((path) => `${site.origin}${path}`),
        label: 'refusals',
        maxConcurrency: 1,
        maxRequestRetries: 0,
        leasehold: { pool, waitMs: 5_000 },
      });

    it('a 200 PDF and a text/plain 404 are the site answering: successes, not failures', async () => {
      const { manager, pool, ids } = await poolOf(
        await startHttpProxy(),
        await startHttpProxy(),
        await startHttpProxy(),
      );
      const report = await crawl(manager, pool, ['/report.pdf', '/missing', '/report.pdf?2']);
      expect(report).toMatchObject({ acquired: 3, released: 3, leftOpen: 0 });
      let successes = 0;
      for (const id of ids) {
        const health = await manager.getProxyHealth(pool, id);
        expect(health.failures).toBe(0);
        successes += health.successes;
        expect((await manager.getProxyState(pool, id)).circuit).toBe('closed');
      }
      expect(successes).toBe(3);
      expect(await manager.getErrorLog(pool, { limit: 10 })).toEqual([]);
    });

    it('a 429 without HTML is a rate limit: Retry-After rests the proxy for the site', async () => {
      const { manager, pool, ids } = await poolOf(await startHttpProxy());
      const report = await crawl(manager, pool, ['/limited']);
      expect(report).toMatchObject({ acquired: 1, released: 1, leftOpen: 0 });
      const host = new URL(site.origin).host;
      const [entry] = await manager.getErrorLog(pool, { limit: 1 });
      expect(entry).toMatchObject({
        category: 'rate_limit',
        statusCode: 429,
        scope: host,
        proxyId: ids[0],
      });
      expect((await manager.getProxyHealth(pool, ids[0] as string)).failures).toBe(0);
      // Resting for this site (Retry-After: 30), free for others.
      expect(await manager.acquireProxy({ pool, scope: host })).toBeNull();
      const elsewhere = await manager.acquireProxy({ pool, scope: 'elsewhere.example' });
      expect(elsewhere).not.toBeNull();
      if (elsewhere) await manager.releaseProxy(elsewhere);
    });

    it('a SOCKS5 proxy in the pool is never handed to Crawlee, and never blamed', async () => {
      const socks = await startSocksProxy();
      const http = await startHttpProxy();
      const { manager, pool, ids } = await poolOf(socks, http);
      const paths = ['/page?1', '/page?2', '/page?3', '/page?4'];
      const report = await crawl(manager, pool, paths);
      expect(report.handled).toHaveLength(4);
      expect(report.failed).toEqual([]);
      // Each request: the SOCKS proxy leased and given back untouched, then the HTTP one.
      expect(report.released).toBe(report.acquired);
      expect(socks.tunnels + socks.requests).toBe(0);
      expect(http.tunnels + http.requests).toBeGreaterThanOrEqual(1);
      for (const id of ids) {
        expect((await manager.getProxyHealth(pool, id)).failures).toBe(0);
        expect((await manager.getProxyState(pool, id)).circuit).toBe('closed');
      }
      expect(await manager.getErrorLog(pool, { limit: 10 })).toEqual([]);
      expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
    });
  },
  { targets: ['standalone'] },
);
