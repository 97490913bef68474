import { CheerioCrawler } from '@crawlee/cheerio';
import { Configuration, log, ProxyConfiguration } from '@crawlee/core';
import { ProxyManager } from '@leasehold/client';
import { leaseholdForCrawlee } from '@leasehold/crawlee';
import { fetch, type LeaseLike, toPlaywrightProxy } from '@leasehold/http';
import {
  chromiumLaunchOptions,
  type LoopbackProxy,
  startHttpProxy,
  startRedisServer,
  startTargetSite,
} from '@leasehold/testing';
import { Redis } from 'ioredis';
import { type Browser, chromium } from 'playwright-core';
import { ProxyAgent } from 'undici';
import { measureInRounds } from './httpCases.js';

/**
 * What the Crawlee and Playwright integrations cost per page over a bare undici fetch through
 * the same loopback proxies, and over the same tool without Leasehold (plain Crawlee with a
 * ProxyConfiguration of the same proxy URLs; a Playwright context with the same static
 * proxy). Every case runs in each round, rounds interleaved, in one run.
 */

export interface IntegrationRow {
  name: string;
  /** Wall time over pages done, at the row's concurrency (ms). */
  msPerRequest: number;
  requests: number;
  /** msPerRequest over the bare fetch's, both at 4 at a time (the browser rows: 1). */
  vsBaseline: number;
}

export interface IntegrationReport {
  startedAt: string;
  smoke: boolean;
  rows: IntegrationRow[];
  /** Leasehold-Crawlee over plain Crawlee (ms per page). */
  crawleeLeaseholdVsPlain: number;
  /** A Leasehold-leased browser context over one with the same static proxy (ms per page). */
  playwrightLeaseholdVsStatic: number;
  /** Leases the Leasehold rows took (warm-up included): proof they went through the pool. */
  leasesTaken: number;
  /** Requests the proxies forwarded or tunnels they opened: proof nothing went direct. */
  proxied: number;
}

const CRAWL_CONCURRENCY = 4;

interface Tally {
  pages: number;
  ms: number;
}

/**
 * One crawl of `pages` pages at concurrency 4; adds its steady-state time to `tally`: from
 * the page a tenth of the way in to the last, so the crawler's start-up is left out.
 */
async function crawl(
  Crawler: typeof CheerioCrawler,
  extra: { proxyConfiguration?: ProxyConfiguration },
  urls: string[],
  tally: Tally,
): Promise<void> {
  const done: number[] = [];
  let failed = 0;
  const crawler = new Crawler(
    {
      ...extra,
      maxConcurrency: CRAWL_CONCURRENCY,
      minConcurrency: CRAWL_CONCURRENCY,
      // Start a task as soon as a slot is free (default: every 0.5 s).
      autoscaledPoolOptions: {
        desiredConcurrency: CRAWL_CONCURRENCY,
        maybeRunIntervalSecs: 0.02,
      },
      maxRequestRetries: 0,
      requestHandler: async ({ $ }) => {
        if ($('title').text() !== 'Leasehold target') throw new Error('bench: wrong page');
        done.push(performance.now());
      },
      failedRequestHandler: () => {
        failed++;
      },
    },
    new Configuration({ persistStorage: false, purgeOnStart: true }),
  );
  await crawler.run(urls);
  if (failed > 0 || done.length !== urls.length) {
    throw new Error(`bench: crawl handled ${done.length} of ${urls.length} pages`);
  }
  const from = Math.floor(done.length / 10);
  tally.pages += done.length - 1 - from;
  tally.ms += (done.at(-1) as number) - (done[from] as number);
}

export async function runIntegrationBenchmarks(options: {
  smoke: boolean;
  onProgress?: (message: string) => void;
}): Promise<IntegrationReport> {
  const say = options.onProgress ?? (() => {});
  const rounds = options.smoke ? 2 : 3;
  const pagesPerCrawl = options.smoke ? 40 : 300;
  const browserPagesPerRound = options.smoke ? 3 : 10;
  // Throws when Debian's Chromium is missing: never a silent skip.
  const launchOptions = chromiumLaunchOptions();
  log.setLevel(log.LEVELS.OFF);

  const redisServer = await startRedisServer();
  const redis = new Redis(redisServer.url);
  const site = await startTargetSite();
  const proxies: LoopbackProxy[] = [];
  for (let i = 0; i < 4; i++)
    proxies.push(await startHttpProxy({ username: `bench${i}`, password: 'pw:bench' }));
  const manager = new ProxyManager({ redis, prefix: 'bench-integrations' });
  const pool = 'integrations';
  const first = proxies[0] as LoopbackProxy;
  const kept = new ProxyAgent({
    uri: `http://127.0.0.1:${first.port}`,
    token: `Basic ${Buffer.from('bench0:pw:bench').toString('base64')}`,
  });
  let browser: Browser | undefined;
  const bare = { pages: 0, ms: 0 };
  const plainCrawlee = { pages: 0, ms: 0 };
  const leaseholdCrawlee = { pages: 0, ms: 0 };
  const staticBrowser = { pages: 0, ms: 0 };
  const leasedBrowser = { pages: 0, ms: 0 };
  let leasesTaken = 0;
  const stopCounting = manager.onAcquire(({ lease }) => {
    if (lease) leasesTaken++;
  });

  try {
    await manager.upsertPool({ name: pool, leaseSeconds: 60 });
    await manager.addProxies(
      pool,
      proxies.map((p) => p.url),
    );
    browser = await chromium.launch(launchOptions);
    const pageUrl = `${site.origin}/page`;
    const staticLease: LeaseLike = {
      proxy: {
        url: first.url,
        protocol: 'http',
        host: '127.0.0.1',
        port: first.port,
        username: 'bench0',
        password: 'pw:bench',
        labels: {},
        tags: [],
      },
    };
    /** One page in a new context: through the static proxy, or a proxy leased for it. */
    const loadPage = async (leased: boolean) => {
      const lease = leased ? await manager.acquireProxy({ pool, scope: '127.0.0.1' }) : null;
      if (leased && !lease) throw new Error('bench: no proxy free');
      const context = await (browser as Browser).newContext({
        proxy: toPlaywrightProxy(lease ?? staticLease),
      });
      let ok = false;
      try {
        const page = await context.newPage();
        const answer = await page.goto(pageUrl);
        ok = answer?.status() === 200 && (await page.title()) === 'Leasehold target';
      } finally {
        await context.close();
        if (lease) await manager.releaseProxy(lease, ok ? { ok: true } : undefined);
      }
      if (!ok) throw new Error('bench: the browser did not load the page');
    };
    const timePages = async (tally: Tally, load: () => Promise<void>) => {
      const started = performance.now();
      for (let i = 0; i < browserPagesPerRound; i++) await load();
      tally.pages += browserPagesPerRound;
      tally.ms += performance.now() - started;
    };
    // Warm-up, not counted: the JIT, the proxies' tunnels, Chromium's first context.
    await loadPage(false);
    await loadPage(true);

    for (let round = 0; round < rounds; round++) {
      say(`integrations: round ${round + 1} of ${rounds} …`);
      const [slice] = await measureInRounds(
        [
          {
            name: 'bare',
            request: async () => {
              await (await fetch(`${site.origin}/ok`, { dispatcher: kept })).text();
            },
          },
        ],
        { callers: 4, rounds: 1, warmupMs: 50, sliceMs: options.smoke ? 150 : 500 },
      );
      if (slice) {
        bare.pages += slice.requests;
        bare.ms += (slice.requests * 1000) / slice.requestsPerSec;
      }
      const urls = Array.from(
        { length: pagesPerCrawl },
        (_, i) => `${pageUrl}?round=${round}&n=${i}`,
      );
      await crawl(
        CheerioCrawler,
        { proxyConfiguration: new ProxyConfiguration({ proxyUrls: proxies.map((p) => p.url) }) },
        urls,
        plainCrawlee,
      );
      const leasehold = leaseholdForCrawlee(manager, { pool, waitMs: 5_000 });
      try {
        await crawl(leasehold.crawlerClass(CheerioCrawler), {}, urls, leaseholdCrawlee);
      } finally {
        await leasehold.releaseAll();
      }
      await timePages(staticBrowser, () => loadPage(false));
      await timePages(leasedBrowser, () => loadPage(true));
    }
  } finally {
    stopCounting();
    await browser?.close();
    await kept.close();
    await manager.close().catch(() => {});
    await Promise.all(proxies.map((p) => p.close()));
    await site.close();
    await redis.quit();
    await redisServer.stop();
  }

  const per = (t: Tally) => (t.pages === 0 ? 0 : t.ms / t.pages);
  const baseline = per(bare);
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const row = (name: string, t: Tally): IntegrationRow => ({
    name,
    msPerRequest: per(t),
    requests: t.pages,
    vsBaseline: ratio(per(t), baseline),
  });
  return {
    startedAt: new Date().toISOString(),
    smoke: options.smoke,
    rows: [
      row('baseline: undici fetch, one ProxyAgent kept (4 at a time)', bare),
      row('Crawlee CheerioCrawler, ProxyConfiguration of the 4 proxy URLs', plainCrawlee),
      row('Crawlee CheerioCrawler, leaseholdForCrawlee(...).crawlerClass', leaseholdCrawlee),
      row('Chromium: new context, static proxy, 1 page (1 at a time)', staticBrowser),
      row('Chromium: acquire, context with toPlaywrightProxy, 1 page, release', leasedBrowser),
    ],
    crawleeLeaseholdVsPlain: ratio(per(leaseholdCrawlee), per(plainCrawlee)),
    playwrightLeaseholdVsStatic: ratio(per(leasedBrowser), per(staticBrowser)),
    leasesTaken,
    proxied: proxies.reduce((sum, p) => sum + p.requests + p.tunnels, 0),
  };
}

export function formatIntegrationReport(report: IntegrationReport): string {
  const header = ['case', 'ms per page', 'pages', 'vs bare fetch'];
  const rows = report.rows.map((r) => [
    r.name,
    r.msPerRequest.toFixed(2),
    String(r.requests),
    `${r.vsBaseline.toFixed(2)}×`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  return [
    'Crawlee (4 at a time) and Chromium (1 page at a time) through the same loopback proxies',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `Leasehold-Crawlee vs plain Crawlee: ${report.crawleeLeaseholdVsPlain.toFixed(2)}×`,
    `Chromium, leased context vs static-proxy context: ${report.playwrightLeaseholdVsStatic.toFixed(2)}×`,
  ].join('\n');
}
