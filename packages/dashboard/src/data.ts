import type { ErrorLogEntry, PoolStats, PoolStatsReader, ProxyManager } from '@leasehold/client';
import type { Cluster, Redis } from 'ioredis';
import { errorRate, readSampleIntervals, type SampleInterval } from './samples.js';

/** What a proxy is doing now, in the words of the overview's columns. */
export type ProxyStateName = 'active' | 'disabled' | 'open' | 'half-open' | 'benched' | 'resting';

export interface ProxyRow {
  id: string;
  /** Redacted: credentials replaced by ***. */
  url: string;
  labels: Record<string, string | undefined>;
  location?: { latitude: number; longitude: number };
  status: 'active' | 'disabled';
  circuit: string;
  state: ProxyStateName;
  score: number;
  successRate: number | null;
  p50Ms: number | null;
  activeLeases: number;
  maxConcurrency: number | undefined;
  /** Server epoch ms when a rest, bench or open circuit ends, or null. */
  backAt: number | null;
  /** Why the pool's minHealthScore benched it (while benched), or null. */
  benchReason: string | null;
  lastError: string | null;
}

export interface PoolOverview {
  pool: string;
  stats: PoolStats;
  states: Record<ProxyStateName, number>;
  /** Acquires per sample interval over the last minutes (the overview's sparkline). */
  spark: number[];
  /** Failures over outcomes in those minutes, or null without outcomes or samples. */
  errorRate: number | null;
}

/** The overview's window: 5 minutes of 5 s samples. */
export const OVERVIEW_INTERVALS = 60;
/** The pool page's charts: 15 minutes of 5 s samples. */
export const CHART_INTERVALS = 180;

const READ_CONCURRENCY = 200;

async function mapChunked<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += READ_CONCURRENCY)
    out.push(...(await Promise.all(items.slice(i, i + READ_CONCURRENCY).map(fn))));
  return out;
}

/** Every read here is read-only: a dashboard refresh must not reclaim or recover anything. */
export class DashboardData {
  constructor(
    readonly manager: ProxyManager,
    private readonly stats: PoolStatsReader,
    private readonly redis: Redis | Cluster,
  ) {}

  /** The last `points` intervals of the worker's samples for the pool, oldest first. */
  samples(pool: string, points = CHART_INTERVALS): Promise<SampleInterval[]> {
    return readSampleIntervals(this.redis, this.manager.keys.samples(pool), points);
  }

  async overview(): Promise<PoolOverview[]> {
    const pools = (await this.manager.listPools()).sort();
    return Promise.all(
      pools.map(async (pool) => {
        const [stats, rows, samples] = await Promise.all([
          this.stats.read(pool),
          this.proxies(pool, false),
          this.samples(pool, OVERVIEW_INTERVALS),
        ]);
        const states: Record<ProxyStateName, number> = {
          active: 0,
          disabled: 0,
          open: 0,
          'half-open': 0,
          benched: 0,
          resting: 0,
        };
        for (const row of rows) states[row.state] += 1;
        return {
          pool,
          stats,
          states,
          spark: samples.map((s) => s.acquires),
          errorRate: errorRate(samples),
        };
      }),
    );
  }

  async proxies(pool: string, withLastErrors = true): Promise<ProxyRow[]> {
    const [records, health, log] = await Promise.all([
      this.manager.listProxies(pool, { limit: 10_000 }),
      this.manager.getAllProxyHealth(pool),
      withLastErrors ? this.manager.getErrorLog(pool, { limit: 1000 }) : Promise.resolve([]),
    ]);
    const healthById = new Map(health.map((h) => [h.proxyId, h]));
    const lastError = new Map<string, ErrorLogEntry>();
    // Newest first: the first failure seen per proxy is its last error.
    for (const entry of log)
      if (entry.type === 'failure' && entry.proxyId && !lastError.has(entry.proxyId))
        lastError.set(entry.proxyId, entry);
    const states = await mapChunked(records, (r) => this.manager.getProxyState(pool, r.id));
    const now = Date.now();
    return records.map((record, i) => {
      const state = states[i];
      const h = healthById.get(record.id);
      // A reuse delay rests the proxy too (not leasable until it ends): the later end shows.
      const restEnd = Math.max(state?.rateLimitedUntil ?? 0, state?.reuseDelayUntil ?? 0);
      const restingUntil = restEnd > now ? restEnd : null;
      const circuit = state?.circuit ?? 'closed';
      const stateName: ProxyStateName =
        record.status === 'disabled'
          ? 'disabled'
          : circuit === 'open'
            ? 'open'
            : circuit === 'half-open'
              ? 'half-open'
              : state?.benched
                ? 'benched'
                : restingUntil !== null
                  ? 'resting'
                  : 'active';
      const err = lastError.get(record.id);
      return {
        id: record.id,
        // Redacted; a gateway says where its {session} goes, never its template.
        url: record.gateway
          ? `${record.url} (gateway: {session} in ${record.gateway.in})`
          : record.url,
        labels: record.labels,
        ...(record.location ? { location: record.location } : {}),
        status: record.status,
        circuit,
        state: stateName,
        score: h?.score ?? 0,
        successRate: h?.successRate ?? null,
        p50Ms: h?.latency.p50Ms ?? null,
        activeLeases: record.activeLeases,
        maxConcurrency: record.maxConcurrency,
        backAt:
          circuit === 'open'
            ? (state?.cooldownUntil ?? null)
            : state?.benched
              ? state.benchedUntil
              : restingUntil,
        benchReason: state?.benched ? state.benchReason : null,
        lastError: err
          ? `${err.category ?? 'error'}${err.statusCode ? ` ${err.statusCode}` : ''}${err.message ? `: ${err.message}` : ''}`
          : null,
      };
    });
  }
}
