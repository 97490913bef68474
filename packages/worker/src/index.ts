export { loadWorkerConfig, type WorkerConfig, WorkerConfigError } from './config.js';
export { type CooldownRecoverySummary, recoverDueCooldowns } from './cooldownRecovery.js';
export { type JobReport, PoolSweepError } from './eachPool.js';
export {
  ERROR_LOG_TYPES,
  ErrorLogHistory,
  type ErrorLogHistoryQuery,
  ErrorLogHistoryQuerySchema,
  ErrorLogHistoryUnavailableError,
  HISTORY_MAX_LIMIT,
} from './errorLogHistory.js';
export {
  type ErrorLogRow,
  entryFromReply,
  rowFromEntry,
  type StreamEntry,
} from './errorLogRows.js';
export { ErrorLogStore } from './errorLogStore.js';
export { ERROR_LOG_GROUP, ErrorLogStream } from './errorLogStream.js';
export { type CheckStatus, checkHealth, type HealthReport } from './health.js';
export { type OpsServer, type OpsServerOptions, startOpsServer } from './httpServer.js';
export { type LeaseExpirySummary, sweepExpiredLeases } from './leaseExpiry.js';
export {
  type CreateLoggerOptions,
  createLogger,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logger.js';
export { createMetricsRegistry, type MetricsRegistryOptions } from './metrics.js';
export { MIGRATIONS_DIR, MIGRATIONS_TABLE, migrateDatabase } from './migrations.js';
export {
  type RedisEndpoint,
  type ResolvedWorkerOptions,
  type WorkerOptions,
  WorkerOptionsSchema,
} from './options.js';
export {
  NO_DATABASE_NOTE,
  type PersistErrorLogsDeps,
  type PersistSettings,
  type PersistSummary,
  persistErrorLogs,
} from './persistErrorLogs.js';
export {
  type PoolSamplesDeps,
  type PoolSamplesSummary,
  recordPoolSamples,
  SAMPLES_KEPT,
} from './poolSamples.js';
export { type PoolSnapshot, PoolSnapshots } from './poolSnapshots.js';
export { createProcessor, type HousekeepingDeps, runHousekeeping } from './processor.js';
export { redactConnectionUrl, redactCredentials, redactProxyUrl } from './redaction.js';
export { runWorkerFromEnv } from './runFromEnv.js';
export {
  HOUSEKEEPING_QUEUE,
  JOB_HISTORY,
  JOB_NAMES,
  JobName,
  queuePrefix,
  type ScheduleIntervals,
  upsertSchedules,
} from './schedules.js';
export { exitOnSignals, type ShutdownOptions } from './shutdown.js';
export { startWorker, type WorkerHandle } from './worker.js';
