export { loadWorkerConfig, type WorkerConfig, WorkerConfigError } from './config.js';
export {
  ERROR_LOG_TYPES,
  ErrorLogHistory,
  type ErrorLogHistoryQuery,
  ErrorLogHistoryQuerySchema,
  ErrorLogHistoryUnavailableError,
  HISTORY_MAX_LIMIT,
} from './errorLog/errorLogHistory.js';
export {
  type ErrorLogRow,
  entryFromReply,
  rowFromEntry,
  type StreamEntry,
} from './errorLog/errorLogRows.js';
export { ErrorLogStore } from './errorLog/errorLogStore.js';
export { ERROR_LOG_GROUP, ErrorLogStream } from './errorLog/errorLogStream.js';
export { MIGRATIONS_DIR, MIGRATIONS_TABLE, migrateDatabase } from './errorLog/migrations.js';
export {
  NO_DATABASE_NOTE,
  type PersistErrorLogsDeps,
  type PersistSettings,
  type PersistSummary,
  persistErrorLogs,
} from './errorLog/persistErrorLogs.js';
export { type CooldownRecoverySummary, recoverDueCooldowns } from './jobs/cooldownRecovery.js';
export { type JobReport, PoolSweepError } from './jobs/eachPool.js';
export { type LeaseExpirySummary, sweepExpiredLeases } from './jobs/leaseExpiry.js';
export {
  type PoolSamplesDeps,
  type PoolSamplesSummary,
  recordPoolSamples,
  SAMPLES_KEPT,
} from './jobs/poolSamples.js';
export { createProcessor, type HousekeepingDeps, runHousekeeping } from './jobs/processor.js';
export {
  HOUSEKEEPING_QUEUE,
  JOB_HISTORY,
  JOB_NAMES,
  JobName,
  queuePrefix,
  type ScheduleIntervals,
  upsertSchedules,
} from './jobs/schedules.js';
export {
  type CreateLoggerOptions,
  createLogger,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logger.js';
export { type CheckStatus, checkHealth, type HealthReport } from './operations/health.js';
export { type OpsServer, type OpsServerOptions, startOpsServer } from './operations/httpServer.js';
export { createMetricsRegistry, type MetricsRegistryOptions } from './operations/metrics.js';
export { type PoolSnapshot, PoolSnapshots } from './operations/poolSnapshots.js';
export {
  type RedisEndpoint,
  type ResolvedWorkerOptions,
  type WorkerOptions,
  WorkerOptionsSchema,
} from './options.js';
export { redactConnectionUrl, redactCredentials, redactProxyUrl } from './redaction.js';
export { runWorkerFromEnv } from './runFromEnv.js';
export { exitOnSignals, type ShutdownOptions } from './shutdown.js';
export { startWorker, type WorkerHandle } from './worker.js';
