import {
  createLogger,
  exitOnSignals,
  loadWorkerConfig,
  startWorker,
  WorkerConfigError,
} from '@leasehold/worker';

/** leasehold worker: the same process as `pnpm --filter @leasehold/worker start`. */
export async function runWorkerCommand(): Promise<number> {
  let config: ReturnType<typeof loadWorkerConfig>;
  try {
    config = loadWorkerConfig(process.env);
  } catch (error) {
    if (!(error instanceof WorkerConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel });
  const handle = await startWorker({ ...config.options, logger });
  exitOnSignals({ close: () => handle.close(), logger });
  // Runs until a signal; exitOnSignals ends the process after a graceful close.
  return new Promise<number>(() => {});
}
