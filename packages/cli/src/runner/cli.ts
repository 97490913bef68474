import {
  createRedisClient,
  ProxyManager,
  type RedisEndpoint,
  redisEndpointFromEnv,
  typedRedisError,
} from '@leasehold/client';
import type { Cluster, Redis } from 'ioredis';
import { Output } from '../output/output.js';
import type { CliIo } from './io.js';

export type RedisClient = Redis | Cluster;

/** A usage mistake (exit 2), as opposed to a failure of the command (exit 1). */
export class UsageError extends Error {}

/** The CLI's own failures (exit 1), typed like the client's: a code, the field, a hint. */
export class CliError extends Error {
  constructor(
    readonly code: 'NOT_CONFIRMED' | 'FILE_UNREADABLE' | 'CAP_EXCEEDED',
    message: string,
    readonly field?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * What every command gets: its output, and the connections it asks for. A connection is
 * opened on first use only (so options are checked before anything connects) and every one
 * is closed by the runner when the command ends, however it ends.
 */
export class Cli {
  readonly out: Output;
  /** Set by a command that ends without an error but must not exit 0 (the worker's own code). */
  exitCode = 0;
  private connection: RedisClient | undefined;
  private proxyManager: ProxyManager | undefined;
  private readonly closers: (() => Promise<unknown>)[] = [];

  constructor(readonly io: CliIo) {
    this.out = new Output(io.stdout, io.stdout.isTTY === true && !io.env.NO_COLOR);
  }

  get prefix(): string {
    return this.io.env.LEASEHOLD_PREFIX || 'lh';
  }

  /** REDIS_URL or REDIS_CLUSTER_NODES with REDIS_USERNAME/PASSWORD/TLS, as the worker reads them. */
  endpoint(): RedisEndpoint {
    return redisEndpointFromEnv(this.io.env);
  }

  /** The command's one Redis connection (it connects on its first command). */
  redis(): RedisClient {
    this.connection ??= createRedisClient(this.endpoint(), {
      lazyConnect: true,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 3,
    });
    return this.connection;
  }

  manager(): ProxyManager {
    this.proxyManager ??= new ProxyManager({ redis: this.redis(), prefix: this.prefix });
    return this.proxyManager;
  }

  /** Something else to close when the command ends (a server, a database pool). */
  onClose(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  /** Runs `body` with a signal aborted by SIGINT or SIGTERM (the commands that run until stopped). */
  async untilStopped<T>(body: (stop: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    this.io.signals.once('SIGINT', abort);
    this.io.signals.once('SIGTERM', abort);
    try {
      return await body(controller.signal);
    } finally {
      this.io.signals.off('SIGINT', abort);
      this.io.signals.off('SIGTERM', abort);
    }
  }

  /** A failure of the command's own Redis reads as the client types them (never a raw ReplyError). */
  typed(error: unknown): unknown {
    return this.connection === undefined ? error : typedRedisError(error, this.connection);
  }

  /** Closes what the command opened, last opened first; one failed close does not stop the rest. */
  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined);
    await this.proxyManager?.close().catch(() => undefined);
    const redis = this.connection;
    if (redis === undefined) return;
    // quit() would wait for a Redis that never answered; disconnect() does not.
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }
}
