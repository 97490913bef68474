import type { ProxyManager } from '@leasehold/client';
import type { Job } from 'bullmq';
import { type PersistErrorLogsDeps, persistErrorLogs } from '../errorLog/persistErrorLogs.js';
import { recoverDueCooldowns } from './cooldownRecovery.js';
import type { JobReport } from './eachPool.js';
import { type HealthCheckOptions, runHealthChecks } from './healthCheck.js';
import { sweepExpiredLeases } from './leaseExpiry.js';
import { type PoolSamplesDeps, recordPoolSamples } from './poolSamples.js';
import { JobName } from './schedules.js';

export type HousekeepingDeps = PersistErrorLogsDeps & {
  manager: ProxyManager;
  /** Absent outside a worker (scripts, older callers): the pool-samples job then fails. */
  samples?: Omit<PoolSamplesDeps, 'manager'>;
  /** Probe options of the health-check job (a private CA in tests). */
  healthChecks?: HealthCheckOptions;
};

/** Run one housekeeping job by name (outside BullMQ too: scripts, tests). */
export function runHousekeeping(
  name: string,
  deps: HousekeepingDeps,
  report?: JobReport,
): Promise<object> {
  switch (name) {
    case JobName.LEASE_EXPIRY:
      return sweepExpiredLeases(deps.manager, report);
    case JobName.COOLDOWN_RECOVERY:
      return recoverDueCooldowns(deps.manager, report);
    case JobName.PERSIST_ERROR_LOGS:
      return persistErrorLogs(deps, report);
    case JobName.POOL_SAMPLES:
      if (deps.samples === undefined) throw new Error('pool-samples needs a samples connection');
      return recordPoolSamples({ ...deps.samples, manager: deps.manager }, report);
    case JobName.HEALTH_CHECK:
      return runHealthChecks(deps.manager, report, deps.healthChecks);
    default:
      throw new Error(`unknown housekeeping job "${name}"`);
  }
}

/** The BullMQ processor: the job's summary is its return value, its notes go to job.log. */
export function createProcessor(deps: HousekeepingDeps): (job: Job) => Promise<object> {
  return async (job) => {
    const summary = await runHousekeeping(job.name, deps, async (line) => {
      await job.log(line);
    });
    await job.log(JSON.stringify(summary));
    return summary;
  };
}
