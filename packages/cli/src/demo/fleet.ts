import { createRedisClient, ProxyManager, type ProxyRecord } from '@leasehold/client';
import { startWorker, type WorkerHandle } from '@leasehold/worker';
import type { ResolvedDemoOptions } from './options.js';
import { type DemoProxy, type ProxyBehaviour, startDemoProxy } from './proxies.js';
import { type DemoSite, startDemoSite } from './site.js';

/** The demo's proxies: what each does wrong, if anything, and its cap. */
export const PROXIES: { name: string; cap: number; behaviour: ProxyBehaviour }[] = [
  { name: 'healthy-a', cap: 2, behaviour: { kind: 'healthy' } },
  { name: 'healthy-b', cap: 2, behaviour: { kind: 'healthy' } },
  { name: 'healthy-c', cap: 1, behaviour: { kind: 'healthy' } },
  { name: 'slow', cap: 2, behaviour: { kind: 'slow', delayMs: 400 } },
  // Broken for the first 2.5 s of every 20 s: its circuit opens, probes, and closes again.
  { name: 'failing', cap: 2, behaviour: { kind: 'failing', brokenMs: 2_500, periodMs: 20_000 } },
  {
    name: 'rate-limited',
    cap: 2,
    behaviour: { kind: 'rateLimited', every: 4, retryAfterSeconds: 2 },
  },
  {
    name: 'auth',
    cap: 2,
    behaviour: { kind: 'auth', username: 'demo', password: 'demo-secret' },
  },
];

/** Everything the scrapers run against; `close` stops all of it, last started first. */
export interface Fleet {
  manager: ProxyManager;
  site: DemoSite;
  proxies: DemoProxy[];
  records: ProxyRecord[];
  worker: WorkerHandle;
  dashboardUrl?: string;
  close(): Promise<void>;
}

type Dashboard = { url: string; close(): Promise<void> };

/** The dashboard, when the package is installed (it is optional for the demo). */
async function startDashboardIfPresent(
  options: ResolvedDemoOptions,
  redis: ReturnType<typeof createRedisClient>,
  log: (line: string) => void,
): Promise<Dashboard | undefined> {
  const start = await import('@leasehold/dashboard').then(
    (dashboard) => dashboard.startDashboard,
    () => undefined,
  );
  if (!start) {
    log(
      'dashboard: not installed (@leasehold/dashboard), skipped; watch with `leasehold pool stats demo`',
    );
    return undefined;
  }
  try {
    const port = options.dashboardPort;
    const dashboard = await start({ host: '127.0.0.1', port, redis, prefix: options.prefix });
    log(`dashboard: ${dashboard.url}`);
    return dashboard;
  } catch (error) {
    log(
      `dashboard: could not start (${error instanceof Error ? error.message : String(error)}), skipped`,
    );
    return undefined;
  }
}

/**
 * Starts the demo's world on loopback: the site, the proxies, the dashboard (if installed),
 * the pool (made afresh: a previous run's keys deleted through the client, so on a cluster
 * too) with short leases and cooldowns so circuits visibly open and close, and the worker.
 */
export async function startFleet(
  options: ResolvedDemoOptions,
  log: (line: string) => void,
): Promise<Fleet> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closeOne of closers.splice(0).reverse()) await closeOne().catch(() => undefined);
  };
  try {
    // The connection the CLI's other commands make: REDIS_* credentials, TLS, a cluster.
    const redis = createRedisClient(options.redis, {
      enableAutoPipelining: true,
      maxRetriesPerRequest: 2,
    });
    closers.push(async () => redis.disconnect());
    const manager = new ProxyManager({ redis, prefix: options.prefix });
    closers.push(() => manager.close());
    const { pool } = options;
    if ((await manager.getPool(pool)) !== null) await manager.deletePool(pool);
    await manager.upsertPool({
      name: pool,
      selector: 'round-robin',
      leaseSeconds: 10,
      failureThreshold: 3,
      cooldown: { baseSeconds: 1, maxSeconds: 8 },
    });
    const dashboard = await startDashboardIfPresent(options, redis, log);
    if (dashboard) closers.push(() => dashboard.close());
    const site = await startDemoSite();
    closers.push(() => site.close());
    const proxies: DemoProxy[] = [];
    for (const spec of PROXIES) {
      const proxy = await startDemoProxy(spec.name, spec.behaviour);
      closers.push(() => proxy.close());
      proxies.push(proxy);
    }
    const records = await manager.addProxies(
      pool,
      PROXIES.map((spec, i) => ({
        url: proxies[i]?.url ?? '',
        maxConcurrency: spec.cap,
        labels: { source: 'demo' },
        tags: [spec.name],
      })),
    );
    const worker = await startWorker({
      redis: options.redis,
      prefix: options.prefix,
      metrics: { port: 0, host: '127.0.0.1' },
      intervals: { leaseExpiryMs: 1_000, cooldownRecoveryMs: 500 },
    });
    closers.push(() => worker.close());
    return {
      manager,
      site,
      proxies,
      records,
      worker,
      ...(dashboard ? { dashboardUrl: dashboard.url } : {}),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
