import { ClientClosedError, LeaseholdError, RedisConnectionError } from '@leasehold/core';
import {
  errorForScriptCode,
  KeySchema,
  type LuaScript,
  type PoolKeys,
  type ScriptFailureContext,
} from '@leasehold/core/internal';
import type { Cluster, Redis } from 'ioredis';
import { CapacitySignal } from './leasing/capacitySignal.js';
import { ListenerSet } from './listeners.js';
import { closeRedis } from './redis/connect.js';
import {
  duplicateConnections,
  openRedisConnection,
  type RedisConnectionOption,
} from './redis/managerConnections.js';
import { ScriptRunner } from './scriptRunner.js';
import type { AcquireEvent, ReleaseEvent } from './types.js';

/** What a failed pool script names besides the script and the pool. */
export type FailureDetails = Omit<ScriptFailureContext, 'script' | 'pool'>;

export interface ManagerContextOptions {
  redis: RedisConnectionOption;
  prefix: string;
  reclaimBatchSize: number;
  healthIndexBatchSize: number;
  connections: number;
  onListenerError: (error: unknown, eventName: string) => void;
}

/** Batch size for explicit sweeps (cleanupExpiredLeases, recoverCooldowns, stats). */
export const SWEEP_BATCH_SIZE = 1000;

/**
 * The plumbing every module of ProxyManager shares: connections, key schema, script runner,
 * capacity signal, listeners, and whether the manager is closed. One per ProxyManager.
 */
export class ManagerContext {
  readonly keys: KeySchema;
  readonly redis: Redis | Cluster;
  readonly scripts: ScriptRunner;
  readonly capacity: CapacitySignal;
  readonly reclaimBatchSize: number;
  readonly healthIndexBatchSize: number;
  readonly acquireListeners: ListenerSet<AcquireEvent>;
  readonly releaseListeners: ListenerSet<ReleaseEvent>;
  private readonly ownsConnection: boolean;
  /** Duplicates of `redis` that scripts also run on; always ours to close. */
  private readonly extraConnections: (Redis | Cluster)[];
  private closing: Promise<void> | undefined;

  constructor(options: ManagerContextOptions) {
    const connection = openRedisConnection(options.redis);
    this.redis = connection.redis;
    this.ownsConnection = connection.owned;
    this.extraConnections = duplicateConnections(this.redis, options.connections - 1);
    this.keys = new KeySchema(options.prefix);
    this.scripts = new ScriptRunner([this.redis, ...this.extraConnections]);
    this.capacity = new CapacitySignal(this.redis);
    this.reclaimBatchSize = options.reclaimBatchSize;
    this.healthIndexBatchSize = options.healthIndexBatchSize;
    this.acquireListeners = new ListenerSet('acquire', options.onListenerError);
    this.releaseListeners = new ListenerSet('release', options.onListenerError);
  }

  poolKeys(pool: string): PoolKeys {
    return this.keys.poolKeys(pool);
  }

  /** Prefix of the pool's keys, the first ARGV of most pool scripts. */
  prefix(pool: string): string {
    return this.keys.poolPrefix(pool);
  }

  /** Run a pool script and return its reply as is (the caller reads its codes). */
  callPoolScript(
    script: LuaScript,
    pool: string,
    argv: readonly (string | number)[],
  ): Promise<unknown[]> {
    return this.scripts.run(script, this.poolKeys(pool), argv);
  }

  /** Run a pool script; a negative code in its reply is thrown as the typed error. */
  async runPoolScript(
    script: LuaScript,
    pool: string,
    argv: readonly (string | number)[],
    details: FailureDetails | ((reply: unknown[]) => FailureDetails) = {},
  ): Promise<unknown[]> {
    const reply = await this.callPoolScript(script, pool, argv);
    const code = Number(reply[0]);
    if (code < 0) {
      throw errorForScriptCode(code, {
        script: script.name,
        pool,
        ...(typeof details === 'function' ? details(reply) : details),
      });
    }
    return reply;
  }

  /** Run a `{ done, remaining }` script in bounded batches until nothing is due. */
  async sweep(pool: string, script: LuaScript): Promise<number> {
    let total = 0;
    for (;;) {
      this.throwIfClosed();
      const reply = await this.callPoolScript(script, pool, [this.prefix(pool), SWEEP_BATCH_SIZE]);
      total += Number(reply[0]);
      if (Number(reply[1]) === 0 || Number(reply[0]) === 0) return total;
    }
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  throwIfClosed(): void {
    if (this.closed) throw new ClientClosedError();
  }

  /**
   * Runs one public call: refused once the manager is closed; a call that close() cut short
   * (its connection went away under it) fails with ClientClosedError, not an ioredis error.
   */
  async guard<T>(call: () => Promise<T>): Promise<T> {
    this.throwIfClosed();
    try {
      return await call();
    } catch (error) {
      // A connection error while closing is the close itself, not an outage.
      if (
        this.closed &&
        (!(error instanceof LeaseholdError) || error instanceof RedisConnectionError)
      )
        throw new ClientClosedError();
      throw error;
    }
  }

  /** Closes what the manager opened (a client passed in is left open); once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.acquireListeners.clear();
      this.releaseListeners.clear();
      // Wakes every waiting acquire, which then sees `closed` and throws ClientClosedError.
      await this.capacity.close();
      await Promise.all(this.extraConnections.map(closeRedis));
      if (this.ownsConnection) await closeRedis(this.redis);
    })();
    return this.closing;
  }
}
