/**
 * A fetch scraper: every page through a leased proxy, with leasedFetch doing the glue
 * (acquire, fetch, classify, release, retry on another proxy).   pnpm example fetch
 */
import { leasedFetch } from '@leasehold/http';
import { manager, pool, site } from './support/config.js';

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
