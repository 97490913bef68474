import { runWorkerFromEnv } from '@leasehold/worker';

/** leasehold worker: the same process as `pnpm --filter @leasehold/worker start`. */
export function runWorkerCommand(): Promise<number> {
  return runWorkerFromEnv(process.env);
}
