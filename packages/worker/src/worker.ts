import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  describeRedisEndpoint,
  PoolStatsReader,
  ProxyManager,
  typedRedisError,
} from '@leasehold/client';
import { parseInput } from '@leasehold/core';
import { Queue, Worker } from 'bullmq';
import { ErrorLogBacklog, readPersistenceStats } from './errorLog/errorLogBacklog.js';
import { ErrorLogStore } from './errorLog/errorLogStore.js';
import { ErrorLogStream } from './errorLog/errorLogStream.js';
import { migrateDatabase } from './errorLog/migrations.js';
import { NO_DATABASE_NOTE } from './errorLog/persistErrorLogs.js';
import { createProcessor, type HousekeepingDeps, runHousekeeping } from './jobs/processor.js';
import { HOUSEKEEPING_QUEUE, queuePrefix, upsertSchedules } from './jobs/schedules.js';
import { type Logger, silentLogger } from './logger.js';
import { checkHealth, type HealthReport } from './operations/health.js';
import { type OpsServer, startOpsServer } from './operations/httpServer.js';
import { createMetricsRegistry } from './operations/metrics.js';
import { PoolSnapshots } from './operations/poolSnapshots.js';
import { type WorkerOptions, WorkerOptionsSchema } from './options.js';
import { redactConnectionUrl } from './redaction.js';
import { checkRedis, closeRedis, openRedis, type RedisClient } from './redisConnections.js';

export interface WorkerHandle {
  /** Finish the jobs in progress, then close the worker, queue, HTTP server, PostgreSQL and Redis. */
  close(): Promise<void>;
  /** Base URL of the /metrics and /healthz server, when it runs. */
  readonly metricsUrl: string | undefined;
  /** This replica's name in the error-log consumer group. */
  readonly consumerName: string;
  /** The housekeeping queue (job counts, history), for tools and tests. */
  readonly queue: Queue;
  /** Run one housekeeping job now, in this process, outside the schedule. */
  runNow(name: string): Promise<object>;
  health(): Promise<HealthReport>;
  readonly logger: Logger;
}

/** Closes what was opened so far, newest first, when start-up fails halfway. */
class Resources {
  private readonly closers: (() => Promise<unknown>)[] = [];

  add(close: () => Promise<unknown>): void {
    this.closers.unshift(close);
  }

  async closeAll(logger: Logger): Promise<void> {
    for (const close of this.closers.splice(0)) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, 'error while closing');
      }
    }
  }
}

function defaultConsumerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * Start one worker replica: schedulers upserted (fixed ids, so N replicas still give one
 * run per interval), a BullMQ Worker consuming the housekeeping queue, migrations applied
 * when PostgreSQL is configured, and the /metrics + /healthz server.
 */
export async function startWorker(input: WorkerOptions): Promise<WorkerHandle> {
  const options = parseInput(WorkerOptionsSchema, input, 'options');
  const logger = options.logger ?? silentLogger();
  const consumerName = options.consumerName ?? defaultConsumerName();
  const resources = new Resources();

  try {
    const commands = openRedis(options.redis, 'commands');
    resources.add(() => closeRedis(commands));
    // BullMQ's Queue and Worker share this one; the Worker duplicates it for its blocking reads.
    const bullmq = openRedis(options.redis, 'bullmq');
    resources.add(() => closeRedis(bullmq));
    for (const [role, client] of [
      ['commands', commands],
      ['bullmq', bullmq],
    ] as [string, RedisClient][]) {
      // ioredis reconnects by itself. Its raw errors may carry the failed command (AUTH's
      // carries the password): log the typed error instead.
      client.on('error', (error: Error) =>
        logger.warn(
          { err: typedRedisError(error, client), connection: role },
          'redis connection error',
        ),
      );
    }
    // A wrong password, a missing permission or database fails the start, clearly, instead
    // of a worker that runs and does nothing.
    await checkRedis(bullmq);

    let store: ErrorLogStore | undefined;
    if (options.database) {
      const { url, schema } = options.database;
      const applied = await migrateDatabase(url, schema, logger);
      logger.info(
        { schema, applied },
        applied.length > 0 ? 'database migrated' : 'database schema up to date',
      );
      const connected = ErrorLogStore.connect(url, schema);
      resources.add(() => connected.close());
      store = connected;
    } else {
      logger.info(NO_DATABASE_NOTE);
    }

    const manager = new ProxyManager({ redis: commands, prefix: options.prefix });
    resources.add(() => manager.close());
    const stream = new ErrorLogStream(commands, manager.keys, consumerName);
    const statsReader = new PoolStatsReader(commands, manager.keys);
    const deps: HousekeepingDeps = {
      manager,
      stream,
      store,
      settings: options.errorLog,
      logger,
      samples: { redis: commands, statsReader },
    };

    const prefix = queuePrefix(options.prefix);
    const queue = new Queue(HOUSEKEEPING_QUEUE, { connection: bullmq, prefix });
    resources.add(() => queue.close());
    queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
    await upsertSchedules(queue, options.intervals);
    // A Redis that comes back empty (no persistence, as in docker-compose, or a failover to
    // a blank replica) has lost the schedulers: put them back on every reconnection. The
    // ids are fixed, so replicas doing this together still leave one of each.
    let stopping = false;
    bullmq.on('ready', () => {
      if (stopping) return;
      upsertSchedules(queue, options.intervals).then(
        () => logger.info('redis reconnected: job schedulers upserted again'),
        (error: unknown) =>
          logger.warn({ err: error }, 'could not upsert job schedulers after reconnecting'),
      );
    });
    resources.add(async () => {
      stopping = true;
    });

    const health = () => checkHealth(commands, store);
    let ops: OpsServer | undefined;
    if (options.metrics !== false) {
      const backlog = new ErrorLogBacklog(commands, manager.keys);
      const registry = createMetricsRegistry(new PoolSnapshots(manager, statsReader), {
        ...(store === undefined
          ? {}
          : { errorLogPersistence: (pool) => readPersistenceStats(backlog, stream, pool) }),
      });
      const server = await startOpsServer({ ...options.metrics, registry, health, logger });
      ops = server;
      resources.add(() => server.close());
    }

    const worker = new Worker(HOUSEKEEPING_QUEUE, createProcessor(deps), {
      connection: bullmq,
      prefix,
      concurrency: options.concurrency,
    });
    // Added last, so closed first: active jobs finish while their connections are still open.
    resources.add(() => worker.close());
    worker.on('error', (error) => logger.warn({ err: error }, 'worker error'));
    worker.on('failed', (job, error) =>
      logger.error({ err: error, job: job?.name, jobId: job?.id }, 'housekeeping job failed'),
    );
    worker.on('completed', (job, summary) =>
      logger.debug({ job: job.name, jobId: job.id, summary }, 'housekeeping job done'),
    );

    logger.info(
      {
        redis: describeRedisEndpoint(options.redis),
        prefix: options.prefix,
        queue: `${prefix}:${HOUSEKEEPING_QUEUE}`,
        database: options.database
          ? { url: redactConnectionUrl(options.database.url), schema: options.database.schema }
          : null,
        metrics: ops?.url ?? null,
        intervals: options.intervals,
        consumer: consumerName,
      },
      'worker started',
    );

    let closing: Promise<void> | undefined;
    return {
      metricsUrl: ops?.url,
      consumerName,
      queue,
      logger,
      health,
      runNow: (name) => runHousekeeping(name, deps),
      close() {
        closing ??= (async () => {
          logger.info('worker stopping: finishing jobs in progress');
          // Worker first (it waits for active jobs), then everything they were using.
          await resources.closeAll(logger);
          logger.info('worker stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await resources.closeAll(logger);
    throw error;
  }
}
