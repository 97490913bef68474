/**
 * A Crawlee crawler whose proxies and sticky sessions come from a Leasehold pool: every
 * request leases a proxy, Crawlee sessions are Leasehold sessions (cookies kept in them), and
 * every outcome goes back to the pool.   pnpm example crawlee
 */
import { CheerioCrawler, Configuration } from '@crawlee/cheerio';
import { leaseholdForCrawlee } from '@leasehold/crawlee';
import { manager, pool, site } from './support/config.js';

const leasehold = leaseholdForCrawlee(manager, { pool });
const Crawler = leasehold.crawlerClass(CheerioCrawler);
const crawler = new Crawler(
  {
    maxConcurrency: 2,
    maxRequestRetries: 2,
    // Two sessions for the whole crawl: /account's cookie follows its session to the carts.
    sessionPoolOptions: { maxPoolSize: 2 },
    async requestHandler({ $, request, enqueueLinks, session }) {
      const text = $('h1').first().text() || $('p').first().text();
      console.log(
        `${new URL(request.url).pathname.padEnd(14)} ${text.padEnd(22)} session ${session?.id}`,
      );
      await enqueueLinks();
    },
  },
  // Keep Crawlee's request queue in memory: the example writes nothing to disk.
  new Configuration({ persistStorage: false }),
);
try {
  await crawler.run([new URL('/catalog', site).href]);
  const stats = await manager.getPoolStats(pool);
  console.log(`done: ${stats.totalLeases} live leases, ${stats.liveSessions} live sessions`);
} finally {
  await leasehold.releaseAll();
  await manager.close();
}
