/**
 * A fetch scraper: every page through a leased proxy, with leasedFetch doing the glue
 * (acquire, fetch, classify, release, retry on another proxy).   pnpm example fetch
 */
import { ProxyManager } from '@leasehold/client';
import { leasedFetch } from '@leasehold/http';

const manager = new ProxyManager({
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: process.env.LEASEHOLD_PREFIX ?? 'lh',
});
const pool = process.env.LEASEHOLD_POOL ?? 'demo';
const site = process.env.TARGET_URL ?? 'http://127.0.0.1:8080';

try {
  const pages = ['/', '/products/1', '/products/2', '/products/3', '/search?q=tea'];
  // Five at a time: the pool's caps decide who waits (waitMs), not this loop.
  const results = await Promise.all(
    pages.map(async (path) => {
      const res = await leasedFetch(manager, new URL(path, site).href, { pool, waitMs: 5_000 });
      const title = (await res.text()).match(/<h1>(.*?)<\/h1>/)?.[1] ?? '(no title)';
      return `${res.status} ${path.padEnd(14)} ${title.padEnd(24)} via ${res.lease.proxyId} (${res.attempts} attempt${res.attempts === 1 ? '' : 's'})`;
    }),
  );
  for (const line of results) console.log(line);
} finally {
  await manager.close();
}
