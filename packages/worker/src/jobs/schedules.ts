import type { Queue } from 'bullmq';

/** The one BullMQ queue every replica consumes; the dashboard's bull-board shows it. */
export const HOUSEKEEPING_QUEUE = 'housekeeping';

/** Stable job names; each is also the fixed id of the job scheduler that produces it. */
export const JobName = {
  LEASE_EXPIRY: 'lease-expiry',
  COOLDOWN_RECOVERY: 'cooldown-recovery',
  PERSIST_ERROR_LOGS: 'persist-error-logs',
  POOL_SAMPLES: 'pool-samples',
  HEALTH_CHECK: 'health-check',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];
export const JOB_NAMES = Object.values(JobName);

/**
 * BullMQ key prefix for a Leasehold prefix. The braces make it a hash tag: BullMQ's
 * scripts touch several keys of a queue at once, and on Redis Cluster those must share
 * one slot.
 */
export function queuePrefix(leaseholdPrefix: string): string {
  return `{${leaseholdPrefix}:bullmq}`;
}

/** Bounded history, so the queue stays small and still reads well in bull-board. */
export const JOB_HISTORY = {
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 500 },
} as const;

export interface ScheduleIntervals {
  leaseExpiryMs: number;
  cooldownRecoveryMs: number;
  persistErrorLogsMs: number;
  poolSamplesMs: number;
  /** Default 5000. */
  healthCheckMs?: number;
}

/**
 * Create or update the job schedulers. Their ids are fixed, so every replica
 * upserting them at start-up still yields one scheduler each, and one job per interval
 * whatever the number of replicas.
 */
export async function upsertSchedules(queue: Queue, intervals: ScheduleIntervals): Promise<void> {
  const every: Record<JobName, number> = {
    [JobName.LEASE_EXPIRY]: intervals.leaseExpiryMs,
    [JobName.COOLDOWN_RECOVERY]: intervals.cooldownRecoveryMs,
    [JobName.PERSIST_ERROR_LOGS]: intervals.persistErrorLogsMs,
    [JobName.POOL_SAMPLES]: intervals.poolSamplesMs,
    [JobName.HEALTH_CHECK]: intervals.healthCheckMs ?? 5000,
  };
  for (const name of JOB_NAMES) {
    await queue.upsertJobScheduler(
      name,
      { every: every[name] },
      { name, data: {}, opts: { ...JOB_HISTORY } },
    );
  }
}
