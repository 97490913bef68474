import { type RedisEndpoint as ClientRedisEndpoint, redisEndpointSchema } from '@leasehold/client';
import { z } from 'zod';
import type { Logger } from './logger.js';

/**
 * What startWorker accepts, validated with zod so a bad value fails at start-up with the
 * field named, never halfway through a job.
 */

/**
 * Where Redis is: a redis:// or rediss:// URL, or the nodes of a Redis Cluster with the
 * credentials and TLS they share. The client's shape, so the worker connects like it.
 */
export type RedisEndpoint = string | ClientRedisEndpoint;

export interface WorkerOptions {
  redis: RedisEndpoint;
  /** Leasehold key prefix, as given to ProxyManager. Default `lh`. */
  prefix?: string;
  /** PostgreSQL for error-log persistence; without it entries stay in the capped stream. */
  database?: { url: string; schema?: string };
  /** The /metrics and /healthz server; `false` for none. Port 0 picks a free port. */
  metrics?: { port?: number; host?: string } | false;
  /** How often each scheduled job runs. */
  intervals?: {
    leaseExpiryMs?: number;
    cooldownRecoveryMs?: number;
    persistErrorLogsMs?: number;
    /** The pool-samples job: one point per pool in its capped series. */
    poolSamplesMs?: number;
    /** The health-check job (pools without `healthCheck` cost one read each). */
    healthCheckMs?: number;
  };
  errorLog?: {
    /** Stream entries read, inserted and acknowledged together. */
    batchSize?: number;
    /** Entries pending this long with a consumer are taken over (its worker is presumed dead). */
    claimIdleMs?: number;
    /** Upper bound per pool per run, so one run never holds the queue for long. */
    maxEntriesPerRun?: number;
    /**
     * Entries per pool kept in Redis while PostgreSQL is unreachable (beyond the stream's
     * cap); past it the oldest are dropped and counted in `error_log_entries_lost_total`.
     */
    backlogMaxEntries?: number;
  };
  /** Jobs one replica runs at once: a slow persistence run must not hold up expiry sweeps. */
  concurrency?: number;
  /** This replica's name in the error-log consumer group. Default host-pid-random. */
  consumerName?: string;
  logger?: Logger;
}

const prefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . : -');

export const databaseUrlSchema = z
  .string()
  .refine(
    (v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v),
    'must be a postgres:// or postgresql:// URL',
  );

/** A PostgreSQL schema name that needs no quoting games: the migrations create it. */
export const databaseSchemaNameSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be 1-63 characters of lower-case letters, digits, _');

/** Entries kept per pool while PostgreSQL is away, unless configured otherwise. */
export const DEFAULT_BACKLOG_MAX_ENTRIES = 100_000;

const intervalMs = z.int().min(50, 'must be at least 50 ms').max(86_400_000);

export const WorkerOptionsSchema = z
  .object({
    redis: redisEndpointSchema,
    prefix: prefixSchema.default('lh'),
    database: z
      .object({
        url: databaseUrlSchema,
        schema: databaseSchemaNameSchema.default('public'),
      })
      .strict()
      .optional(),
    metrics: z
      .union([
        z.literal(false),
        z
          .object({
            port: z.int().min(0).max(65_535).default(9464),
            host: z.string().min(1).default('127.0.0.1'),
          })
          .strict(),
      ])
      .default({ port: 9464, host: '127.0.0.1' }),
    intervals: z
      .object({
        leaseExpiryMs: intervalMs.default(1000),
        cooldownRecoveryMs: intervalMs.default(1000),
        persistErrorLogsMs: intervalMs.default(5000),
        poolSamplesMs: intervalMs.default(5000),
        healthCheckMs: intervalMs.default(5000),
      })
      .strict()
      .default({
        leaseExpiryMs: 1000,
        cooldownRecoveryMs: 1000,
        persistErrorLogsMs: 5000,
        poolSamplesMs: 5000,
        healthCheckMs: 5000,
      }),
    errorLog: z
      .object({
        batchSize: z.int().min(1).max(10_000).default(1000),
        claimIdleMs: z.int().min(100).default(60_000),
        maxEntriesPerRun: z.int().min(1).default(100_000),
        backlogMaxEntries: z.int().min(0).max(10_000_000).default(DEFAULT_BACKLOG_MAX_ENTRIES),
      })
      .strict()
      .default({
        batchSize: 1000,
        claimIdleMs: 60_000,
        maxEntriesPerRun: 100_000,
        backlogMaxEntries: DEFAULT_BACKLOG_MAX_ENTRIES,
      }),
    concurrency: z.int().min(1).max(64).default(3),
    consumerName: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,128}$/)
      .optional(),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && 'child' in v).optional(),
  })
  .strict();

export type ResolvedWorkerOptions = z.output<typeof WorkerOptionsSchema>;
