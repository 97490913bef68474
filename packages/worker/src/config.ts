import { type RedisEndpoint, redisEndpointFromEnv } from '@leasehold/client';
import { ValidationError } from '@leasehold/core';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import {
  databaseSchemaNameSchema,
  databaseUrlSchema,
  type WorkerOptions,
  WorkerOptionsSchema,
} from './options.js';

/**
 * The worker's configuration from the environment (12-factor): every variable, its
 * default, and an error that names each bad variable at once and never echoes a secret.
 *
 *   REDIS_URL                    redis://127.0.0.1:6379  (rediss://user:password@host:port/db)
 *   REDIS_CLUSTER_NODES          host:port,host:port   (a Redis Cluster; wins over REDIS_URL)
 *   REDIS_USERNAME               ACL user, when the URL or node list carries none
 *   REDIS_PASSWORD               its password, likewise
 *   REDIS_TLS                    true: TLS for redis:// and bare cluster nodes
 *   LEASEHOLD_PREFIX             lh
 *   DATABASE_URL                 (unset: error-log entries stay in the capped Redis stream)
 *   DATABASE_SCHEMA              public
 *   METRICS_PORT                 9464  (0 picks a free port)
 *   METRICS_HOST                 127.0.0.1
 *   LEASE_EXPIRY_EVERY_MS        1000
 *   COOLDOWN_RECOVERY_EVERY_MS   1000
 *   PERSIST_ERROR_LOGS_EVERY_MS  5000
 *   POOL_SAMPLES_EVERY_MS        5000
 *   HEALTH_CHECK_EVERY_MS        5000
 *   ERROR_LOG_BATCH_SIZE         1000
 *   ERROR_LOG_CLAIM_IDLE_MS      60000
 *   ERROR_LOG_BACKLOG_MAX_ENTRIES  100000  (per pool, while PostgreSQL is unreachable)
 *   WORKER_CONCURRENCY           3
 *   LOG_LEVEL                    info
 */

export interface WorkerConfig {
  options: Omit<WorkerOptions, 'logger'>;
  logLevel: LogLevel;
}

export class WorkerConfigError extends Error {
  readonly issues: readonly { variable: string; message: string }[];

  constructor(issues: readonly { variable: string; message: string }[]) {
    super(
      `Invalid worker configuration:\n${issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n')}`,
    );
    this.name = 'WorkerConfigError';
    this.issues = issues;
  }
}

const blankAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = <S extends z.ZodType>(schema: S) =>
  z.preprocess(blankAsUnset, schema.optional());
const integer = (min: number, max: number) =>
  z.preprocess(
    blankAsUnset,
    z
      .string()
      .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .optional(),
  );

const EnvSchema = z.object({
  LEASEHOLD_PREFIX: optionalText(z.string()),
  DATABASE_URL: optionalText(databaseUrlSchema),
  DATABASE_SCHEMA: optionalText(databaseSchemaNameSchema),
  METRICS_PORT: integer(0, 65_535),
  METRICS_HOST: optionalText(z.string()),
  LEASE_EXPIRY_EVERY_MS: integer(50, 86_400_000),
  COOLDOWN_RECOVERY_EVERY_MS: integer(50, 86_400_000),
  PERSIST_ERROR_LOGS_EVERY_MS: integer(50, 86_400_000),
  POOL_SAMPLES_EVERY_MS: integer(50, 86_400_000),
  HEALTH_CHECK_EVERY_MS: integer(50, 86_400_000),
  ERROR_LOG_BATCH_SIZE: integer(1, 10_000),
  ERROR_LOG_CLAIM_IDLE_MS: integer(100, 86_400_000),
  ERROR_LOG_BACKLOG_MAX_ENTRIES: integer(0, 10_000_000),
  WORKER_CONCURRENCY: integer(1, 64),
  LOG_LEVEL: optionalText(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
});

// Option paths back to the variable that set them, so option-level errors name the variable.
const VARIABLE_OF_OPTION: Record<string, string> = {
  redis: 'REDIS_URL',
  prefix: 'LEASEHOLD_PREFIX',
  'database.url': 'DATABASE_URL',
  'database.schema': 'DATABASE_SCHEMA',
  'metrics.port': 'METRICS_PORT',
  'metrics.host': 'METRICS_HOST',
};

function drop<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Reads and validates the worker's configuration; throws WorkerConfigError listing every problem. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = EnvSchema.safeParse(env);
  // Messages come from the schemas, never from the values: a URL may hold a password.
  const issues = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      }));
  // The client's reading of REDIS_*, so the worker connects exactly as the client and CLI do.
  let redis: RedisEndpoint | undefined;
  try {
    redis = redisEndpointFromEnv(env);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues.map((i) => ({ variable: i.field, message: i.message })));
  }
  if (!parsed.success || redis === undefined) throw new WorkerConfigError(issues);
  const e = parsed.data;
  const options: Omit<WorkerOptions, 'logger'> = {
    redis: redis.kind === 'standalone' ? redis.url : redis,
    ...drop({ prefix: e.LEASEHOLD_PREFIX }),
    ...(e.DATABASE_URL
      ? { database: drop({ url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA }) }
      : {}),
    metrics: drop({ port: e.METRICS_PORT, host: e.METRICS_HOST }),
    intervals: drop({
      leaseExpiryMs: e.LEASE_EXPIRY_EVERY_MS,
      cooldownRecoveryMs: e.COOLDOWN_RECOVERY_EVERY_MS,
      persistErrorLogsMs: e.PERSIST_ERROR_LOGS_EVERY_MS,
      poolSamplesMs: e.POOL_SAMPLES_EVERY_MS,
      healthCheckMs: e.HEALTH_CHECK_EVERY_MS,
    }),
    errorLog: drop({
      batchSize: e.ERROR_LOG_BATCH_SIZE,
      claimIdleMs: e.ERROR_LOG_CLAIM_IDLE_MS,
      backlogMaxEntries: e.ERROR_LOG_BACKLOG_MAX_ENTRIES,
    }),
    ...drop({ concurrency: e.WORKER_CONCURRENCY }),
  };
  // The option schema holds the remaining rules (prefix characters, ...): check them now too.
  const checked = WorkerOptionsSchema.safeParse(options);
  if (!checked.success) {
    throw new WorkerConfigError(
      checked.error.issues.map((issue) => {
        const path = issue.path.join('.');
        return { variable: VARIABLE_OF_OPTION[path] ?? path, message: issue.message };
      }),
    );
  }
  return { options, logLevel: e.LOG_LEVEL ?? 'info' };
}
