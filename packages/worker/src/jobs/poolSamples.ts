import type { PoolCounters, PoolStats, PoolStatsReader, ProxyManager } from '@leasehold/client';
import { PoolNotFoundError } from '@leasehold/core';
import type { Cluster, Redis } from 'ioredis';
import { eachPool, type JobReport, noReport } from './eachPool.js';

/** Points kept per pool: one hour at the default 5 s interval. Approximate (`MAXLEN ~`). */
export const SAMPLES_KEPT = 720;

export interface PoolSamplesSummary {
  pools: number;
  sampled: number;
}

export interface PoolSamplesDeps {
  manager: ProxyManager;
  /** Read-only stats: sampling must not reclaim expiries or recover cooldowns. */
  statsReader: PoolStatsReader;
  redis: Redis | Cluster;
}

/**
 * Append one point per pool to `<prefix>:{<pool>}:samples`. The entry id (`*`) is the server's
 * clock in ms; counters are the pool's monotonic ones, so readers compute deltas and a missed
 * tick loses no acquires. The XADD is the job's only write.
 */
export async function recordPoolSamples(
  deps: PoolSamplesDeps,
  report: JobReport = noReport,
): Promise<PoolSamplesSummary> {
  const pools = await deps.manager.listPools();
  let sampled = 0;
  await eachPool('pool-samples', pools, async (pool) => {
    let read: [PoolStats, PoolCounters];
    try {
      read = await Promise.all([deps.statsReader.read(pool), deps.manager.getPoolCounters(pool)]);
    } catch (error) {
      // Listed but deleted meanwhile: no point, and no failed job for it.
      if (error instanceof PoolNotFoundError) return;
      throw error;
    }
    const [stats, counters] = read;
    const fields: (string | number)[] = [
      'acquires',
      counters.selections,
      'successes',
      counters.successes,
      'available',
      stats.availableProxies,
      'leases',
      stats.totalLeases,
      'open',
      stats.openCircuits,
    ];
    for (const [category, count] of Object.entries(counters.failures))
      fields.push(`f:${category}`, count ?? 0);
    await deps.redis.xadd(
      deps.manager.keys.samples(pool),
      'MAXLEN',
      '~',
      SAMPLES_KEPT,
      '*',
      ...fields,
    );
    sampled += 1;
  });
  if (sampled > 0) await report(`sampled ${sampled} pool(s)`);
  return { pools: pools.length, sampled };
}
