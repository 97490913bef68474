/**
 * The examples' world, on loopback: the demo's target site and a few of its HTTP forward
 * proxies (one behind Basic auth), and a pool of those proxies in REDIS_URL. Each proxy counts
 * what it serves and its own peak concurrency, so a run can check the pool's caps against
 * what the proxies saw.
 */
import { randomBytes } from 'node:crypto';
import { ProxyManager } from '@leasehold/client';
import { type DemoProxy, startDemoProxy } from '../../packages/cli/src/demo/proxies.js';
import { type DemoSite, startDemoSite } from '../../packages/cli/src/demo/site.js';

export interface ExampleEnvironment {
  redisUrl: string;
  prefix: string;
  /** A pool of its own for this run, deleted by close(). */
  pool: string;
  site: DemoSite;
  proxies: { proxy: DemoProxy; cap: number }[];
  /** What an example process reads: REDIS_URL, LEASEHOLD_PREFIX, LEASEHOLD_POOL, TARGET_URL. */
  env: Record<string, string>;
  close(): Promise<void>;
}

const PROXIES = [
  { name: 'healthy-a', cap: 2, behaviour: { kind: 'healthy' } },
  { name: 'healthy-b', cap: 2, behaviour: { kind: 'healthy' } },
  { name: 'auth', cap: 1, behaviour: { kind: 'auth', username: 'demo', password: 'demo-secret' } },
] as const;

export async function startExampleEnvironment(name: string): Promise<ExampleEnvironment> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = process.env.LEASEHOLD_PREFIX ?? 'lh';
  // A fresh pool per run: a run killed with live leases never blocks the next one.
  const pool = `example-${name}-${randomBytes(3).toString('hex')}`;
  const site = await startDemoSite();
  const proxies = await Promise.all(
    PROXIES.map(async ({ name: proxyName, cap, behaviour }) => ({
      proxy: await startDemoProxy(proxyName, behaviour),
      cap,
    })),
  );
  const manager = new ProxyManager({ redis: redisUrl, prefix });
  try {
    await manager.upsertPool({ name: pool, leaseSeconds: 30 });
    await manager.addProxies(
      pool,
      proxies.map(({ proxy, cap }) => ({ url: proxy.url, maxConcurrency: cap })),
    );
  } catch (error) {
    await Promise.all([site.close(), ...proxies.map(({ proxy }) => proxy.close())]);
    await manager.close();
    throw error;
  }
  return {
    redisUrl,
    prefix,
    pool,
    site,
    proxies,
    env: {
      REDIS_URL: redisUrl,
      LEASEHOLD_PREFIX: prefix,
      LEASEHOLD_POOL: pool,
      TARGET_URL: site.url,
    },
    async close() {
      try {
        await manager.deletePool(pool);
      } finally {
        await manager.close();
        await Promise.all([site.close(), ...proxies.map(({ proxy }) => proxy.close())]);
      }
    },
  };
}
