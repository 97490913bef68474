import { loadWorkerConfig, WorkerConfigError } from './config.js';
import { createLogger } from './logger.js';
import { exitOnSignals } from './shutdown.js';
import { startWorker } from './worker.js';

/**
 * Start a worker configured by the environment and keep it running until SIGTERM/SIGINT
 * (then close gracefully and exit 0). Shared by `pnpm --filter @leasehold/worker start` and
 * `leasehold worker`. Resolves with an exit code only when it cannot start.
 */
export async function runWorkerFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: ReturnType<typeof loadWorkerConfig>;
  try {
    config = loadWorkerConfig(env);
  } catch (error) {
    if (!(error instanceof WorkerConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel });
  try {
    const handle = await startWorker({ ...config.options, logger });
    exitOnSignals({ close: () => handle.close(), logger });
  } catch (error) {
    logger.fatal({ err: error }, 'worker failed to start');
    return 1;
  }
  // Runs until a signal; exitOnSignals ends the process after a graceful close.
  return new Promise<number>(() => {});
}
