import type { ProxyManager } from '@leasehold/client';
import { eachPool, type JobReport, noReport } from './eachPool.js';

export interface LeaseExpirySummary {
  pools: number;
  reclaimed: number;
}

/**
 * Reclaim every expired lease in every pool (each pool in bounded batches inside
 * cleanupExpiredLeases), so capacity comes back and `lease_expired` entries are written
 * even when no scraper is acquiring.
 */
export async function sweepExpiredLeases(
  manager: ProxyManager,
  report: JobReport = noReport,
): Promise<LeaseExpirySummary> {
  const pools = await manager.listPools();
  let reclaimed = 0;
  await eachPool('lease-expiry', pools, async (pool) => {
    const count = await manager.cleanupExpiredLeases(pool);
    reclaimed += count;
    if (count > 0) await report(`${pool}: reclaimed ${count} expired lease(s)`);
  });
  return { pools: pools.length, reclaimed };
}
