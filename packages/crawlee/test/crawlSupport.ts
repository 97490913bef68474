// Helpers shared by the crawlee tests and their child processes (not published): one real
// CheerioCrawler crawl through a Leasehold pool, with in-memory storage only.
import { CheerioCrawler } from '@crawlee/cheerio';
import { Configuration, log } from '@crawlee/core';
import type { ProxyManager } from '@leasehold/client';
import { type LeaseholdCrawleeOptions, leaseholdForCrawlee } from '../src/index.js';

// Crawlee logs every retry and failure: the tests read outcomes from Redis and the site.
log.setLevel(log.LEVELS.OFF);

export interface CrawlSettings {
  startUrls: string[];
  /** Sent as `x-crawler` so the site knows which crawler asked. */
  label: string;
  maxConcurrency: number;
  /** Crawlee sessions in the crawler's own pool. */
  maxPoolSize?: number;
  maxRequestRetries?: number;
  /** Follow the links of /catalog. */
  followLinks?: boolean;
  /** requestHandler throws for these paths (after a good response). */
  throwOn?: string[];
  /** requestHandler takes this long for these paths. */
  slowOn?: { paths: string[]; ms: number };
  /** Crawlee timeouts, in seconds (fractions allowed). */
  navigationTimeoutSecs?: number;
  requestHandlerTimeoutSecs?: number;
  leasehold: LeaseholdCrawleeOptions;
}

export interface CrawlReport {
  handled: string[];
  failed: string[];
  /** Leasehold session ids of the leases this crawl took, in order. */
  sessionIds: string[];
  acquired: number;
  released: number;
  /** Handles the adapter still had open after run() (must be 0). */
  leftOpen: number;
}

export async function crawlWithLeasehold(
  manager: ProxyManager,
  settings: CrawlSettings,
): Promise<CrawlReport> {
  const report: CrawlReport = {
    handled: [],
    failed: [],
    sessionIds: [],
    acquired: 0,
    released: 0,
    leftOpen: 0,
  };
  const stopAcquire = manager.onAcquire(({ lease }) => {
    if (!lease) return;
    report.acquired++;
    if (lease.session) report.sessionIds.push(lease.session.id);
  });
  const stopRelease = manager.onRelease(({ result }) => {
    if (result.released) report.released++;
  });
  const leasehold = leaseholdForCrawlee(manager, settings.leasehold);
  const Crawler = leasehold.crawlerClass(CheerioCrawler);
  const crawler = new Crawler(
    {
      maxConcurrency: settings.maxConcurrency,
      minConcurrency: settings.maxConcurrency,
      // Start tasks as soon as a slot is free (default: every 0.5 s): real overlap.
      autoscaledPoolOptions: {
        desiredConcurrency: settings.maxConcurrency,
        maybeRunIntervalSecs: 0.02,
      },
      maxRequestRetries: settings.maxRequestRetries ?? 2,
      ...(settings.navigationTimeoutSecs === undefined
        ? {}
        : { navigationTimeoutSecs: settings.navigationTimeoutSecs }),
      ...(settings.requestHandlerTimeoutSecs === undefined
        ? {}
        : { requestHandlerTimeoutSecs: settings.requestHandlerTimeoutSecs }),
      sessionPoolOptions: { maxPoolSize: settings.maxPoolSize ?? 10 },
      preNavigationHooks: [
        (_context, gotOptions) => {
          gotOptions.headers = { ...gotOptions.headers, 'x-crawler': settings.label };
        },
      ],
      requestHandler: async ({ request, enqueueLinks }) => {
        const path = new URL(request.url).pathname;
        if (settings.throwOn?.includes(path)) throw new Error(`handler fails on ${path}`);
        const slow = settings.slowOn;
        if (slow?.paths.includes(path)) await new Promise((r) => setTimeout(r, slow.ms));
        report.handled.push(request.url);
        if (settings.followLinks && path === '/catalog') await enqueueLinks({ selector: 'a' });
      },
      failedRequestHandler: ({ request }) => {
        report.failed.push(request.url);
      },
    },
    new Configuration({ persistStorage: false, purgeOnStart: true }),
  );
  try {
    await crawler.run(settings.startUrls);
  } finally {
    stopAcquire();
    stopRelease();
    report.leftOpen = leasehold.sessions.openSessions;
    await leasehold.releaseAll();
  }
  return report;
}
