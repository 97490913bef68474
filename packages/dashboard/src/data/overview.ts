import {
  PoolNotFoundError,
  type PoolStats,
  type PoolStatsReader,
  type ProxyManager,
} from '@leasehold/client';
import type { Cluster, Redis } from 'ioredis';
import { errorRate, readSampleIntervals, type SampleInterval } from './samples.js';

/**
 * A pool's numbers from its live counters (one read-only script, O(1) in the pool size):
 * exact at any size, where counting rows would stop at the rows read.
 */
export interface PoolCounts {
  totalProxies: number;
  /** Status active (whatever their circuit). */
  active: number;
  disabled: number;
  openCircuits: number;
  availableProxies: number;
  leasedProxies: number;
  totalLeases: number;
  liveSessions: number;
}

export interface PoolOverview {
  pool: string;
  counts: PoolCounts;
  /** Acquires per sample interval over the last minutes (the overview's sparkline). */
  spark: number[];
  /** Failures over outcomes in those minutes, or null without outcomes or samples. */
  errorRate: number | null;
}

/** The overview's window: 5 minutes of 5 s samples. */
const OVERVIEW_INTERVALS = 60;
/** The pool page's charts: 15 minutes of 5 s samples. */
const CHART_INTERVALS = 180;

function countsOf(stats: PoolStats): PoolCounts {
  return {
    totalProxies: stats.totalProxies,
    active: stats.activeProxies,
    disabled: Math.max(0, stats.totalProxies - stats.activeProxies),
    openCircuits: stats.openCircuits,
    availableProxies: stats.availableProxies,
    leasedProxies: stats.leasedProxies,
    totalLeases: stats.totalLeases,
    liveSessions: stats.liveSessions,
  };
}

/** Every read here is read-only: a dashboard refresh must not reclaim or recover anything. */
export class PoolReads {
  constructor(
    readonly manager: ProxyManager,
    private readonly stats: PoolStatsReader,
    private readonly redis: Redis | Cluster,
  ) {}

  /** The last `points` intervals of the worker's samples for the pool, oldest first. */
  samples(pool: string, points = CHART_INTERVALS): Promise<SampleInterval[]> {
    return readSampleIntervals(this.redis, this.manager.keys.samples(pool), points);
  }

  /** PoolNotFoundError for a pool that does not exist. */
  async counts(pool: string): Promise<PoolCounts> {
    return countsOf(await this.stats.read(pool));
  }

  /** Two reads per pool, whatever its size. */
  async overview(): Promise<PoolOverview[]> {
    const pools = (await this.manager.listPools()).sort();
    const rows = await Promise.all(
      pools.map(async (pool): Promise<PoolOverview | undefined> => {
        const [counts, samples] = await Promise.all([
          this.counts(pool).catch((error: unknown) => {
            // Deleted since listPools: left out, not an error page.
            if (error instanceof PoolNotFoundError) return undefined;
            throw error;
          }),
          this.samples(pool, OVERVIEW_INTERVALS),
        ]);
        if (counts === undefined) return undefined;
        return {
          pool,
          counts,
          spark: samples.map((s) => s.acquires),
          errorRate: errorRate(samples),
        };
      }),
    );
    return rows.filter((row) => row !== undefined);
  }
}
