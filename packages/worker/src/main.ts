// Entry point: `pnpm --filter @leasehold/worker start`. Configuration comes from the
// environment (see config.ts); a bad variable stops the process before anything connects.
import { loadWorkerConfig, WorkerConfigError } from './config.js';
import { createLogger } from './logger.js';
import { exitOnSignals } from './shutdown.js';
import { startWorker } from './worker.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadWorkerConfig>;
  try {
    config = loadWorkerConfig(process.env);
  } catch (error) {
    if (!(error instanceof WorkerConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel });
  try {
    const handle = await startWorker({ ...config.options, logger });
    exitOnSignals({ close: () => handle.close(), logger });
  } catch (error) {
    logger.fatal({ err: error }, 'worker failed to start');
    process.exit(1);
  }
}

await main();
