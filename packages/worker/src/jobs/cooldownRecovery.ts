import type { ProxyManager } from '@leasehold/client';
import { eachPool, type JobReport, noReport } from './eachPool.js';

export interface CooldownRecoverySummary {
  pools: number;
  recovered: number;
}

/**
 * Process due cooldowns in every pool: open circuits become half-open (ready for one
 * probe lease) and finished rate-limit rests are lifted, on time even with no traffic.
 */
export async function recoverDueCooldowns(
  manager: ProxyManager,
  report: JobReport = noReport,
): Promise<CooldownRecoverySummary> {
  const pools = await manager.listPools();
  let recovered = 0;
  await eachPool('cooldown-recovery', pools, async (pool) => {
    const count = await manager.recoverCooldowns(pool);
    recovered += count;
    if (count > 0) await report(`${pool}: ${count} proxy cooldown(s) ended`);
  });
  return { pools: pools.length, recovered };
}
