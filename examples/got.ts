/**
 * A got scraper: lease a proxy, hand got the lease's agents, report how it went.
 * manager.withLease releases the lease whatever happens; classifyOutcome turns got's answer
 * (or its error) into the outcome Leasehold records.   pnpm example got
 */
import { classifyOutcome, ProxyManager } from '@leasehold/client';
import { proxyAgents } from '@leasehold/http';
import got from 'got';

const manager = new ProxyManager({
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: process.env.LEASEHOLD_PREFIX ?? 'lh',
});
const pool = process.env.LEASEHOLD_POOL ?? 'demo';
const site = process.env.TARGET_URL ?? 'http://127.0.0.1:8080';

try {
  for (const path of ['/', '/products/1', '/products/2']) {
    const url = new URL(path, site);
    const lease = await manager.acquireProxy({ pool, scope: url.host, waitMs: 5_000 });
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
