/** Notes a job writes as it goes (BullMQ's job.log, or nothing outside a job). */
export type JobReport = (line: string) => Promise<void>;

export const noReport: JobReport = async () => {};

/** Some pools failed in a sweep that carried on with the others. */
export class PoolSweepError extends Error {
  readonly failures: readonly { pool: string; error: unknown }[];

  constructor(what: string, total: number, failures: readonly { pool: string; error: unknown }[]) {
    const listed = failures
      .slice(0, 5)
      .map((f) => `${f.pool} (${f.error instanceof Error ? f.error.message : String(f.error)})`)
      .join(', ');
    super(`${what}: ${failures.length} of ${total} pools failed: ${listed}`);
    this.name = 'PoolSweepError';
    this.failures = failures;
  }
}

/**
 * Run `work` for every pool, one after another, so one broken pool (say, deleted between
 * listing and sweeping) never stops the sweep of the others; then throw if any failed, so
 * the job shows as failed with every pool at fault named.
 */
export async function eachPool(
  what: string,
  pools: readonly string[],
  work: (pool: string) => Promise<void>,
): Promise<void> {
  const failures: { pool: string; error: unknown }[] = [];
  for (const pool of pools) {
    try {
      await work(pool);
    } catch (error) {
      failures.push({ pool, error });
    }
  }
  if (failures.length > 0) throw new PoolSweepError(what, pools.length, failures);
}
