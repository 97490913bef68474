import type { PoolCounters, PoolStats, PoolStatsReader, ProxyManager } from '@leasehold/client';
import { PoolNotFoundError } from '@leasehold/core';

export interface PoolSnapshot {
  pool: string;
  stats: PoolStats;
  counters: PoolCounters;
}

/**
 * Every pool's live stats and monotonic counters, read from Redis without writing to it (a
 * scrape must not reclaim expiries or recover cooldowns: the worker's jobs and every
 * acquire do that). All metrics of one scrape share one read: concurrent callers get the same in-flight promise, and a result
 * is reused for `maxAgeMs` (a scrape's metrics are collected within a few ms).
 */
export class PoolSnapshots {
  private latest: { at: number; value: Promise<PoolSnapshot[]> } | undefined;

  constructor(
    private readonly manager: ProxyManager,
    private readonly stats: PoolStatsReader,
    private readonly maxAgeMs = 250,
  ) {}

  read(): Promise<PoolSnapshot[]> {
    const now = performance.now();
    if (this.latest === undefined || now - this.latest.at > this.maxAgeMs) {
      const value = this.load();
      // A failed read must not be served to the next scrape.
      value.catch(() => {
        if (this.latest?.value === value) this.latest = undefined;
      });
      this.latest = { at: now, value };
    }
    return this.latest.value;
  }

  private async load(): Promise<PoolSnapshot[]> {
    const pools = await this.manager.listPools();
    const snapshots = await Promise.all(
      pools.map(async (pool) => {
        try {
          const [stats, counters] = await Promise.all([
            this.stats.read(pool),
            this.manager.getPoolCounters(pool),
          ]);
          return { pool, stats, counters };
        } catch (error) {
          // Listed but deleted meanwhile: it simply has no series this scrape.
          if (error instanceof PoolNotFoundError) return undefined;
          throw error;
        }
      }),
    );
    return snapshots.filter((s): s is PoolSnapshot => s !== undefined);
  }
}
