/**
 * A got scraper: lease a proxy (scope: the site's host, so a 429 rests it for that site only),
 * hand got the lease's agents, and release with what happened: classifyOutcome turns got's
 * answer, or its error, into the outcome Leasehold records.   pnpm example got
 */
import { classifyOutcome } from '@leasehold/client';
import { proxyAgents } from '@leasehold/http';
import got from 'got';
import { manager, pool, site } from './support/config.js';

try {
  for (const path of ['/', '/products/1', '/products/2']) {
    const url = new URL(path, site);
    const lease = await manager.acquireProxy({ pool, scope: url.hostname, waitMs: 5_000 });
    if (!lease) throw new Error('no proxy free within 5 s');
    const agent = proxyAgents(lease);
    try {
      const res = await got(url, { agent, retry: { limit: 0 }, throwHttpErrors: false });
      await manager.releaseProxy(lease, {
        ...classifyOutcome({ statusCode: res.statusCode, retryAfter: res.headers['retry-after'] }),
        latencyMs: res.timings.phases.total,
      });
      console.log(`${res.statusCode} ${path.padEnd(12)} via ${lease.proxyId}`);
    } catch (error) {
      await manager.releaseProxy(lease, classifyOutcome({ error }));
      throw error;
    } finally {
      agent.http.destroy();
      agent.https.destroy();
    }
  }
} finally {
  await manager.close();
}
