/**
 * `leasehold demo`: the whole system for real, on loopback, against a local Redis. A small
 * target site, a handful of HTTP forward proxies (healthy, slow, failing, rate-limiting, behind
 * Basic auth), the housekeeping worker (and the dashboard, when installed), and scraper child
 * processes that lease a proxy, fetch through it and release with the outcome. The proxies
 * count what they serve and their own peak concurrency: a peak above the pool's cap fails it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ErrorLogEntry, ProxyManager, redactProxyUrl } from '@leasehold/client';
import { parseInput } from '@leasehold/core';
import { redactConnectionUrl, startWorker, type WorkerHandle } from '@leasehold/worker';
import { Redis } from 'ioredis';
import { z } from 'zod';
import {
  SCRAPER_CONFIG_ENV,
  type ScraperCommand,
  type ScraperConfig,
  type ScraperReport,
} from './protocol.js';
import { type DemoProxy, type ProxyBehaviour, startDemoProxy } from './proxies.js';
import { type DemoSite, startDemoSite } from './site.js';

export interface DemoOptions {
  /** How long the scrapers run. Default 60. */
  seconds?: number;
  /** Scraper child processes. Default 4. */
  scrapers?: number;
  /** Default $REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Default $LEASEHOLD_PREFIX, else `lh`. */
  prefix?: string;
  /** The demo's pool, reset at start (its keys only). Default `demo`. */
  pool?: string;
  /** The dashboard's port when @leasehold/dashboard is installed; 0 picks a free one. Default 9470. */
  dashboardPort?: number;
  /** Where the live lines and the summary go. Default console.log. */
  log?: (line: string) => void;
}

export interface DemoProxySummary {
  name: string;
  id: string;
  /** Credentials masked. */
  url: string;
  behaviour: ProxyBehaviour['kind'];
  cap: number;
  /** Requests the proxy itself counted. */
  served: number;
  /** Its own peak of concurrent requests. */
  peak: number;
  capExceeded: boolean;
  circuitOpenings: number;
  rateLimitRests: number;
}

export interface DemoSummary {
  seconds: number;
  scrapers: number;
  /** Requests the scrapers completed (leased, fetched, released). */
  requests: number;
  successes: number;
  failuresByCategory: Record<string, number>;
  proxies: DemoProxySummary[];
  /** From the pool's error log: circuits opened, half-open probes that closed them, 429 rests. */
  circuitOpenings: number;
  circuitRecoveries: number;
  rateLimitRests: number;
  /** Proxies whose own peak concurrency went above their cap. */
  capViolations: number;
  dashboardUrl?: string;
  metricsUrl?: string;
  /** Stopped by SIGINT/SIGTERM before the end. */
  interrupted: boolean;
}

const DemoOptionsSchema = z
  .object({
    seconds: z.number().int().min(1).max(86_400).default(60),
    scrapers: z.int().min(1).max(32).default(4),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
      .default(() => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . : -')
      .default(() => process.env.LEASEHOLD_PREFIX ?? 'lh'),
    pool: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . -')
      .default('demo'),
    dashboardPort: z.int().min(0).max(65_535).default(9470),
    log: z.custom<(line: string) => void>((v) => typeof v === 'function').optional(),
  })
  .strict();

/** The demo's proxies: what each does wrong, if anything, and its cap. */
const PROXIES: { name: string; cap: number; behaviour: ProxyBehaviour }[] = [
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

/** The monorepo root when running from source (tsx reads its tsconfig paths there). */
function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dirname(dir) !== dir) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/** Forks one scraper: the .ts module through tsx when running from source, else the built .js. */
function forkScraper(config: ScraperConfig): ChildProcess {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(
    new URL(fromSource ? './scraper.ts' : './scraper.js', import.meta.url),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, [SCRAPER_CONFIG_ENV]: JSON.stringify(config) };
  const execArgv: string[] = [];
  if (fromSource) {
    execArgv.push('--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href);
    const root = repoRoot();
    if (root) env.TSX_TSCONFIG_PATH = join(root, 'tsconfig.json');
  }
  return fork(file, [], { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Stops a scraper: asked first, killed if it has not gone within `graceMs`. */
function stopScraper(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    const stop: ScraperCommand = { type: 'stop' };
    if (child.connected) child.send(stop, () => undefined);
    else child.kill('SIGTERM');
  });
}

/** Deletes the demo pool's keys (its hash tag) and its name: never anything else. */
async function resetPool(redis: Redis, prefix: string, pool: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:{${pool}}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.srem(`${prefix}:pools`, pool);
}

type Dashboard = { url: string; close(): Promise<void> };

/** The dashboard, when the package is installed (it is optional for the demo). */
async function startDashboardIfPresent(
  redis: Redis,
  prefix: string,
  port: number,
  log: (line: string) => void,
): Promise<Dashboard | undefined> {
  // A variable specifier: the CLI builds without @leasehold/dashboard installed.
  const specifier = '@leasehold/dashboard';
  let start: ((options: object) => Promise<Dashboard>) | undefined;
  try {
    start = ((await import(specifier)) as { startDashboard?: typeof start }).startDashboard;
  } catch {
    start = undefined;
  }
  if (!start) {
    log(
      'dashboard: not installed (@leasehold/dashboard), skipped; watch with `leasehold pool stats demo`',
    );
    return undefined;
  }
  try {
    const dashboard = await start({ host: '127.0.0.1', port, redis, prefix });
    log(`dashboard: ${dashboard.url}`);
    return dashboard;
  } catch (error) {
    log(
      `dashboard: could not start (${error instanceof Error ? error.message : String(error)}), skipped`,
    );
    return undefined;
  }
}

function countEvents(entries: ErrorLogEntry[]) {
  const byProxy = new Map<string, { openings: number; rests: number }>();
  const of = (id: string | undefined) => {
    const key = id ?? '';
    const found = byProxy.get(key) ?? { openings: 0, rests: 0 };
    byProxy.set(key, found);
    return found;
  };
  let openings = 0;
  let recoveries = 0;
  let rests = 0;
  for (const e of entries) {
    if (e.type === 'transition' && e.subject === 'proxy' && e.to === 'open') {
      openings++;
      of(e.proxyId).openings++;
    } else if (
      e.type === 'transition' &&
      e.subject === 'proxy' &&
      e.from === 'half-open' &&
      e.to === 'closed'
    ) {
      recoveries++;
    } else if (e.type === 'failure' && e.category === 'rate_limit') {
      rests++;
      of(e.proxyId).rests++;
    }
  }
  return { openings, recoveries, rests, byProxy };
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

export async function runDemo(input: DemoOptions = {}): Promise<DemoSummary> {
  const options = parseInput(DemoOptionsSchema, input, 'options');
  const log = options.log ?? ((line: string) => console.log(line));
  const { prefix, pool, redisUrl } = options;

  const closers: (() => Promise<unknown>)[] = [];
  const children: ChildProcess[] = [];
  let interrupted = false;
  let wakeEarly: () => void = () => undefined;
  const onSignal = () => {
    if (interrupted) {
      // Second Ctrl-C: no more waiting for anyone.
      for (const child of children) child.kill('SIGKILL');
      return;
    }
    interrupted = true;
    log('\nstopping: scrapers, worker, proxies and site are being shut down ...');
    wakeEarly();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  closers.push(() => redis.quit());
  const manager = new ProxyManager({ redis: redisUrl, prefix });
  closers.push(() => manager.close());
  try {
    await redis.connect();
    const dashboard = await startDashboardIfPresent(redis, prefix, options.dashboardPort, log);
    if (dashboard) closers.unshift(() => dashboard.close());

    const site: DemoSite = await startDemoSite();
    closers.unshift(() => site.close());
    const proxies: DemoProxy[] = [];
    for (const spec of PROXIES) {
      const proxy = await startDemoProxy(spec.name, spec.behaviour);
      proxies.push(proxy);
      closers.unshift(() => proxy.close());
    }

    await resetPool(redis, prefix, pool);
    // Short leases and cooldowns so circuits visibly open, go half-open and close.
    await manager.upsertPool({
      name: pool,
      selector: 'round-robin',
      leaseSeconds: 10,
      failureThreshold: 3,
      cooldown: { baseSeconds: 1, maxSeconds: 8 },
    });
    const records = await manager.addProxies(
      pool,
      PROXIES.map((spec, i) => ({
        url: proxies[i]?.url ?? '',
        maxConcurrency: spec.cap,
        labels: { source: 'demo' },
        tags: [spec.name],
      })),
    );

    const worker: WorkerHandle = await startWorker({
      redis: redisUrl,
      prefix,
      metrics: { port: 0, host: '127.0.0.1' },
      intervals: { leaseExpiryMs: 1_000, cooldownRecoveryMs: 500 },
    });
    closers.unshift(() => worker.close());

    log(`target site: ${site.url} (${site.pages.length} pages)`);
    log(`worker metrics: ${worker.metricsUrl ?? '(off)'}/metrics`);
    log(
      `pool "${pool}" on ${redactConnectionUrl(redisUrl)} (prefix ${prefix}), ${records.length} proxies on loopback:`,
    );
    for (const [i, record] of records.entries()) {
      const spec = PROXIES[i];
      log(
        `  ${pad(spec?.name ?? '', 12)}  ${record.id}  ${redactProxyUrl(record.url)}  cap ${spec?.cap}`,
      );
    }
    log(`${options.scrapers} scrapers for ${options.seconds}s (Ctrl-C stops everything):`);

    let requests = 0;
    let successes = 0;
    const failuresByCategory: Record<string, number> = {};
    const ready: Promise<unknown>[] = [];
    for (let i = 0; i < options.scrapers; i++) {
      const child = forkScraper({
        redisUrl,
        prefix,
        pool,
        consumer: `scraper-${i + 1}`,
        siteUrl: site.url,
        pages: [...site.pages],
      });
      children.push(child);
      ready.push(
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.on('message', (message: ScraperReport) => {
            if (message?.type === 'ready') resolve(undefined);
            if (message?.type !== 'request') return;
            requests++;
            if (message.ok) successes++;
            else {
              const category = message.category ?? 'unknown';
              failuresByCategory[category] = (failuresByCategory[category] ?? 0) + 1;
            }
          });
        }),
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 30_000);
      wakeEarly = resolve;
      void Promise.all(ready).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    const startedAt = Date.now();
    const deadline = startedAt + options.seconds * 1000;
    const go: ScraperCommand = { type: 'go', deadline };
    for (const child of children) if (child.connected) child.send(go, () => undefined);

    // One live line a second until the deadline (or a signal).
    let lastRequests = 0;
    while (!interrupted && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(1_000, Math.max(0, deadline - Date.now())));
        wakeEarly = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const s = await manager.getPoolStats(pool);
      const perSecond = requests - lastRequests;
      lastRequests = requests;
      const elapsed = Math.round((Date.now() - startedAt) / 1000);
      log(
        `${pad(elapsed, 3)}s | leases ${pad(s.totalLeases, 2)} | leased proxies ${s.leasedProxies}/${s.totalProxies}` +
          ` | available ${s.availableProxies} | open circuits ${s.openCircuits} | ${pad(perSecond, 3)} req/s | total ${requests}`,
      );
    }
    // At the deadline they finish their request and leave; on a signal they are asked to.
    await Promise.all(children.map((c) => stopScraper(c, 3_000)));
    const seconds = Math.round((Date.now() - startedAt) / 100) / 10;

    const events = countEvents(await manager.getErrorLog(pool, { limit: 10_000 }));
    const summaries: DemoProxySummary[] = records.map((record, i) => {
      const proxy = proxies[i] as DemoProxy;
      const cap = PROXIES[i]?.cap ?? 0;
      const counted = events.byProxy.get(record.id);
      return {
        name: proxy.name,
        id: record.id,
        url: redactProxyUrl(record.url),
        behaviour: proxy.behaviour.kind,
        cap,
        served: proxy.served,
        peak: proxy.peak,
        capExceeded: proxy.peak > cap,
        circuitOpenings: counted?.openings ?? 0,
        rateLimitRests: counted?.rests ?? 0,
      };
    });
    const summary: DemoSummary = {
      seconds,
      scrapers: options.scrapers,
      requests,
      successes,
      failuresByCategory,
      proxies: summaries,
      circuitOpenings: events.openings,
      circuitRecoveries: events.recoveries,
      rateLimitRests: events.rests,
      capViolations: summaries.filter((p) => p.capExceeded).length,
      ...(dashboard ? { dashboardUrl: dashboard.url } : {}),
      ...(worker.metricsUrl ? { metricsUrl: worker.metricsUrl } : {}),
      interrupted,
    };
    printSummary(summary, prefix, pool, log);
    return summary;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all(children.map((c) => stopScraper(c, 1_000)));
    for (const close of closers) {
      try {
        await close();
      } catch {
        // Shutting down: one failed close must not keep the others open.
      }
    }
  }
}

function printSummary(
  s: DemoSummary,
  prefix: string,
  pool: string,
  log: (line: string) => void,
): void {
  const failures = Object.entries(s.failuresByCategory)
    .map(([category, n]) => `${category} ${n}`)
    .join(', ');
  log('');
  log(
    `${s.requests} requests by ${s.scrapers} scrapers in ${s.seconds}s: ${s.successes} ok${failures ? `, ${failures}` : ''}`,
  );
  log('per proxy, as counted by the proxies themselves:');
  log(`  ${'proxy'.padEnd(12)}  ${pad('served', 6)}  peak/cap  circuit opened  429 rests`);
  for (const p of s.proxies) {
    log(
      `  ${p.name.padEnd(12)}  ${pad(p.served, 6)}  ${pad(`${p.peak}/${p.cap}`, 8)}  ${pad(p.circuitOpenings, 14)}  ${pad(p.rateLimitRests, 9)}` +
        (p.capExceeded ? '  CAP EXCEEDED' : ''),
    );
  }
  log(
    `circuit openings ${s.circuitOpenings}, recoveries (half-open probe closed it) ${s.circuitRecoveries}, 429 rests ${s.rateLimitRests}`,
  );
  log(
    s.capViolations === 0
      ? 'caps respected: no proxy saw more concurrent requests than its cap'
      : `CAP VIOLATIONS: ${s.capViolations} proxies went over their cap`,
  );
  const first = s.proxies[0]?.id ?? '<id>';
  log('\nlook at it yourself:');
  log(`  redis-cli HGETALL '${prefix}:{${pool}}:pool'`);
  log(`  redis-cli ZRANGE '${prefix}:{${pool}}:available:byLoad' 0 -1 WITHSCORES`);
  log(`  redis-cli HGETALL '${prefix}:{${pool}}:proxy:${first}'`);
  log(`  redis-cli XREVRANGE '${prefix}:{${pool}}:errorLog' + - COUNT 5`);
  log(`  pnpm leasehold pool stats ${pool}`);
}
