// Public API of @leasehold/worker, every export by name (exports.test.ts pins the list).

// For applications: run the worker, read the history it keeps.
export {
  ERROR_LOG_TYPES,
  ErrorLogHistory,
  type ErrorLogHistoryQuery,
  ErrorLogHistoryUnavailableError,
} from './errorLog/errorLogHistory.js';
// Internal: the pieces @leasehold/cli and @leasehold/dashboard (and their tests) build on.
// Not for applications; they may change in any release.
export { ErrorLogStore } from './errorLog/errorLogStore.js';
export { ErrorLogStream } from './errorLog/errorLogStream.js';
export { migrateDatabase } from './errorLog/migrations.js';
export { persistErrorLogs } from './errorLog/persistErrorLogs.js';
export { recordPoolSamples } from './jobs/poolSamples.js';
export { HOUSEKEEPING_QUEUE, queuePrefix, upsertSchedules } from './jobs/schedules.js';
export { silentLogger } from './logger.js';
export { checkHealth } from './operations/health.js';
export { createMetricsRegistry } from './operations/metrics.js';
export { PoolSnapshots } from './operations/poolSnapshots.js';
export type { WorkerOptions } from './options.js';
export { runWorkerFromEnv } from './runFromEnv.js';
export { startWorker, type WorkerHandle } from './worker.js';
