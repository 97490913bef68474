import { ERROR_CATEGORIES } from '@leasehold/core';
import {
  type Aggregator,
  Counter,
  collectDefaultMetrics,
  Gauge,
  type Metric,
  Registry,
} from 'prom-client';
import type { PersistenceStats } from '../errorLog/errorLogBacklog.js';
import type { PoolSnapshot, PoolSnapshots } from './poolSnapshots.js';

/**
 * Prometheus metrics whose values are READ from Redis at scrape time (collect callbacks,
 * read-only: a scrape never writes), never counted in this process: every replica reports the same pool-wide truth, and a
 * restart loses nothing. Every pool series carries a `pool` label.
 */

type PoolLabel = 'pool';

interface SnapshotCounterSpec {
  name: string;
  help: string;
  value: (s: PoolSnapshot) => number;
}

const POOL_COUNTERS: SnapshotCounterSpec[] = [
  {
    name: 'proxy_selections_total',
    help: 'Leases handed out (successful acquires).',
    value: (s) => s.counters.selections,
  },
  {
    name: 'proxy_successes_total',
    help: 'Requests reported successful.',
    value: (s) => s.counters.successes,
  },
  {
    name: 'proxy_circuit_breaker_opens_total',
    help: 'Times a proxy circuit opened.',
    value: (s) => s.counters.circuitOpens,
  },
  {
    name: 'leases_expired_total',
    help: 'Leases reclaimed after their deadline passed without a release.',
    value: (s) => s.counters.leasesExpired,
  },
];

const POOL_GAUGES: SnapshotCounterSpec[] = [
  { name: 'leases_active', help: 'Live leases.', value: (s) => s.stats.totalLeases },
  // Not `_total`: in Prometheus that suffix means a counter, and this goes up and down.
  { name: 'pool_proxies', help: 'Proxies in the pool.', value: (s) => s.stats.totalProxies },
  {
    name: 'pool_proxies_active',
    help: 'Proxies with status active.',
    value: (s) => s.stats.activeProxies,
  },
  {
    name: 'pool_proxies_available',
    help: 'Proxies leasable now: active, circuit not open, not resting, below their cap.',
    value: (s) => s.stats.availableProxies,
  },
  {
    name: 'pool_proxies_leased',
    help: 'Proxies with at least one live lease.',
    value: (s) => s.stats.leasedProxies,
  },
  {
    name: 'pool_open_circuits',
    help: 'Proxies whose circuit is open.',
    value: (s) => s.stats.openCircuits,
  },
  { name: 'pool_sessions_live', help: 'Live sticky sessions.', value: (s) => s.stats.liveSessions },
];

/** One metric-family value as prom-client's registry prints it. */
interface SeriesValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A histogram whose buckets come straight from the Redis latency counters. prom-client's
 * Histogram has no way to set bucket counts (only observe()), so this implements the
 * registry's metric contract (name, help, type, get) itself.
 */
class SnapshotLatencyHistogram {
  readonly name = 'proxy_response_time_seconds';
  readonly help = 'Response time reported with outcomes, from the shared Redis histogram.';
  readonly type = 'histogram';
  readonly aggregator: Aggregator = 'sum';

  constructor(private readonly snapshots: PoolSnapshots) {}

  async get() {
    const values: SeriesValue[] = [];
    for (const s of await this.snapshots.read()) {
      const { buckets, sumMs, count } = s.counters.latency;
      let cumulative = 0;
      for (const bucket of buckets) {
        // Redis keeps per-bucket counts; Prometheus wants cumulative ones, in seconds.
        cumulative += bucket.count;
        const le = Number.isFinite(bucket.leMs) ? bucket.leMs / 1000 : '+Inf';
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { le, pool: s.pool },
          value: cumulative,
        });
      }
      values.push({
        metricName: `${this.name}_sum`,
        labels: { pool: s.pool },
        value: sumMs / 1000,
      });
      values.push({ metricName: `${this.name}_count`, labels: { pool: s.pool }, value: count });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    };
  }

  reset(): void {}
}

export interface MetricsRegistryOptions {
  /** Also export this process's CPU, memory and event-loop metrics. Default true. */
  processMetrics?: boolean;
  /** Error-log persistence per pool (a worker with PostgreSQL): lost entries, backlog. */
  errorLogPersistence?: (pool: string) => Promise<PersistenceStats>;
}

/** A registry of its own (not prom-client's global one), so replicas in one process coexist. */
export function createMetricsRegistry(
  snapshots: PoolSnapshots,
  options: MetricsRegistryOptions = {},
): Registry {
  const registry = new Registry();

  for (const spec of POOL_COUNTERS) {
    new Counter<PoolLabel>({
      name: spec.name,
      help: spec.help,
      labelNames: ['pool'],
      registers: [registry],
      async collect() {
        const all = await snapshots.read();
        this.reset();
        for (const s of all) this.inc({ pool: s.pool }, spec.value(s));
      },
    });
  }

  new Counter<PoolLabel | 'category'>({
    name: 'proxy_failures_total',
    help: 'Requests reported failed, by error category.',
    labelNames: ['pool', 'category'],
    registers: [registry],
    async collect() {
      const all = await snapshots.read();
      this.reset();
      for (const s of all) {
        for (const category of ERROR_CATEGORIES) {
          this.inc({ pool: s.pool, category }, s.counters.failures[category] ?? 0);
        }
      }
    },
  });

  for (const spec of POOL_GAUGES) {
    new Gauge<PoolLabel>({
      name: spec.name,
      help: spec.help,
      labelNames: ['pool'],
      registers: [registry],
      async collect() {
        const all = await snapshots.read();
        this.reset();
        for (const s of all) this.set({ pool: s.pool }, spec.value(s));
      },
    });
  }

  const persistence = options.errorLogPersistence;
  if (persistence !== undefined) {
    const readAll = async () =>
      Promise.all(
        (await snapshots.read()).map(async (s) => ({
          pool: s.pool,
          ...(await persistence(s.pool)),
        })),
      );
    new Counter<PoolLabel>({
      name: 'error_log_entries_lost_total',
      help: 'Error-log entries never persisted: trimmed from the stream first, or dropped from a full backlog.',
      labelNames: ['pool'],
      registers: [registry],
      async collect() {
        const all = await readAll();
        this.reset();
        for (const s of all) this.inc({ pool: s.pool }, s.lost);
      },
    });
    new Gauge<PoolLabel>({
      name: 'error_log_backlog_entries',
      help: 'Error-log entries kept in Redis for PostgreSQL, which did not answer.',
      labelNames: ['pool'],
      registers: [registry],
      async collect() {
        const all = await readAll();
        this.reset();
        for (const s of all) this.set({ pool: s.pool }, s.backlog);
      },
    });
  }

  registry.registerMetric(new SnapshotLatencyHistogram(snapshots) as unknown as Metric);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
