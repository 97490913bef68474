import { randomUUID } from 'node:crypto';
import {
  type AcquireOptions,
  AcquireOptionsSchema,
  errorForScriptCode,
  extendSecondsSchema,
  KeySchema,
  type ListProxiesOptions,
  ListProxiesOptionsSchema,
  luaScripts,
  NoProxyAvailableError,
  type PoolKeys,
  type PoolSettings,
  type PoolSettingsInput,
  PoolSettingsSchema,
  type ProxyInput,
  ProxyInputSchema,
  parseInput,
  parseProxyUrl,
  poolNameSchema,
  proxyIdFromUrl,
  proxyIdSchema,
  type RetryOptions,
  RetryOptionsSchema,
  ScriptCode,
  type SelectorStrategy,
  secondsToMs,
  ValidationError,
} from '@leasehold/core';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { isRedisClient, openRedisConnection, type RedisConnectionOption } from './connection.js';
import { compileFilters } from './filters.js';
import { type Listener, ListenerSet } from './listeners.js';
import { hashFromFlat, leaseFromReply, proxyRecordFromHash, statsFromReply } from './replies.js';
import { ScriptRunner } from './scriptRunner.js';
import type {
  AcquireEvent,
  Lease,
  PoolStats,
  ProxyRecord,
  ReleaseEvent,
  ReleaseResult,
} from './types.js';

export interface ProxyManagerOptions {
  /** A redis:// URL, or an ioredis Redis or Cluster (which the caller keeps and closes). */
  redis: RedisConnectionOption;
  /** Key prefix; default `lh`. */
  prefix?: string;
  /** Expired leases reclaimed inside one acquire/release, at most. Default 100. */
  reclaimBatchSize?: number;
  /** Where errors thrown by event listeners go. Default: a process warning. */
  onListenerError?: (error: unknown, eventName: string) => void;
}

const ManagerOptionsSchema = z
  .object({
    redis: z.custom<RedisConnectionOption>(
      (v) => (typeof v === 'string' && /^rediss?:\/\//.test(v)) || isRedisClient(v),
      'must be a redis:// URL or an ioredis Redis/Cluster instance',
    ),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . : -')
      .default('lh'),
    reclaimBatchSize: z.int().min(1).max(10_000).default(100),
    onListenerError: z.function().optional(),
  })
  .strict();

const LeaseRefSchema = z.object({
  id: z.string().min(1).max(128),
  pool: poolNameSchema,
  proxyId: proxyIdSchema,
});
type LeaseRef = z.infer<typeof LeaseRefSchema>;

/** Proxies per script call when adding: keeps each atomic step short on a busy Redis. */
const ADD_BATCH_SIZE = 500;
/** Batch size for explicit sweeps (cleanupExpiredLeases, stats). */
const SWEEP_BATCH_SIZE = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The manager API used by scrapers. Every decision runs as one Lua script inside Redis, so
 * any number of ProxyManagers in any number of processes share pools safely.
 */
export class ProxyManager {
  readonly keys: KeySchema;
  private readonly redis: Redis | Cluster;
  private readonly ownsConnection: boolean;
  private readonly scripts: ScriptRunner;
  private readonly reclaimBatchSize: number;
  private readonly acquireListeners: ListenerSet<AcquireEvent>;
  private readonly releaseListeners: ListenerSet<ReleaseEvent>;

  constructor(options: ProxyManagerOptions) {
    const parsed = parseInput(ManagerOptionsSchema, options, 'options');
    const connection = openRedisConnection(parsed.redis);
    this.redis = connection.redis;
    this.ownsConnection = connection.owned;
    this.keys = new KeySchema(parsed.prefix);
    this.scripts = new ScriptRunner(this.redis);
    this.reclaimBatchSize = parsed.reclaimBatchSize;
    const onError =
      (parsed.onListenerError as ProxyManagerOptions['onListenerError']) ??
      ((error: unknown, eventName: string) =>
        process.emitWarning(`Leasehold ${eventName} listener threw: ${String(error)}`));
    this.acquireListeners = new ListenerSet('acquire', onError);
    this.releaseListeners = new ListenerSet('release', onError);
  }

  // ---- pools -------------------------------------------------------------------------

  /** Create a pool or replace its settings; settings not given take their defaults. */
  async upsertPool(input: PoolSettingsInput): Promise<PoolSettings & { created: boolean }> {
    const settings = parseInput(PoolSettingsSchema, input, 'pool');
    const keys = this.poolKeys(settings.name);
    const reply = await this.scripts.run(luaScripts.upsertPool, keys, [
      settings.name,
      ...['selector', settings.selector],
      ...['leaseMs', secondsToMs(settings.leaseSeconds)],
      ...['failureThreshold', settings.failureThreshold],
      ...['cooldownBaseMs', secondsToMs(settings.cooldown.baseSeconds)],
      ...['cooldownMaxMs', secondsToMs(settings.cooldown.maxSeconds)],
      ...['cooldownJitter', settings.cooldown.jitter ? 1 : 0],
    ]);
    // The registry of pool names has no hash tag (it spans pools), so it is written after.
    await this.redis.sadd(this.keys.pools(), settings.name);
    return { ...settings, created: reply[0] === 1 };
  }

  /** Settings of a pool, or null if it does not exist. */
  async getPool(name: string): Promise<PoolSettings | null> {
    const pool = parseInput(poolNameSchema, name, 'pool');
    const hash = await this.redis.hgetall(this.poolKeys(pool).pool);
    if (hash.leaseMs === undefined) return null;
    return {
      name: pool,
      selector: hash.selector as SelectorStrategy,
      leaseSeconds: Number(hash.leaseMs) / 1000,
      failureThreshold: Number(hash.failureThreshold),
      cooldown: {
        baseSeconds: Number(hash.cooldownBaseMs) / 1000,
        maxSeconds: Number(hash.cooldownMaxMs) / 1000,
        jitter: hash.cooldownJitter === '1',
      },
    };
  }

  async listPools(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.pools())).sort();
  }

  // ---- proxies -----------------------------------------------------------------------

  /**
   * Add proxies, or update labels/tags/maxConcurrency of ones already there (same URL =
   * same id). Every input is validated first: one bad proxy and none is added.
   */
  async addProxies(pool: string, inputs: readonly (ProxyInput | string)[]): Promise<ProxyRecord[]> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    if (!Array.isArray(inputs))
      throw new ValidationError([{ field: 'proxies', message: 'must be an array' }]);
    const parsed = inputs.map((input, i) => {
      const field = `proxies[${i}]`;
      const proxy = parseInput(
        ProxyInputSchema,
        typeof input === 'string' ? { url: input } : input,
        field,
      );
      const url = parseProxyUrl(proxy.url, `${field}.url`);
      return {
        id: proxyIdFromUrl(url.normalized),
        url: url.normalized,
        protocol: url.protocol,
        host: url.host,
        port: url.port,
        ...(url.username === undefined ? {} : { username: url.username }),
        ...(url.password === undefined ? {} : { password: url.password }),
        maxConcurrency: proxy.maxConcurrency ?? 0,
        labels: Object.entries(proxy.labels).filter(([, v]) => v !== undefined),
        tags: [...new Set(proxy.tags)],
      };
    });

    const keys = this.poolKeys(poolName);
    const records: ProxyRecord[] = [];
    for (let start = 0; start < parsed.length; start += ADD_BATCH_SIZE) {
      const batch = parsed.slice(start, start + ADD_BATCH_SIZE);
      const reply = await this.scripts.run(luaScripts.addProxies, keys, [
        this.keys.poolPrefix(poolName),
        JSON.stringify(batch),
      ]);
      this.throwOnFailure('addProxies', reply, { pool: poolName });
      const states = reply[1] as unknown[][];
      for (const state of states)
        records.push(proxyRecordFromHash(poolName, hashFromFlat(state), false));
    }
    return records;
  }

  /** Remove a proxy. Throws ProxyBusyError while it has live leases. */
  async removeProxy(pool: string, proxyId: string): Promise<void> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const id = parseInput(proxyIdSchema, proxyId, 'proxyId');
    const reply = await this.scripts.run(luaScripts.removeProxy, this.poolKeys(poolName), [
      this.keys.poolPrefix(poolName),
      id,
      SWEEP_BATCH_SIZE,
    ]);
    this.throwOnFailure('removeProxy', reply, {
      pool: poolName,
      proxyId: id,
      activeLeases: Number(reply[1] ?? 0),
    });
  }

  /** Proxies in insertion order. URLs are redacted unless includeCredentials is set. */
  async listProxies(pool: string, options: ListProxiesOptions = {}): Promise<ProxyRecord[]> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const opts = parseInput(ListProxiesOptionsSchema, options, 'options');
    const ids = await this.redis.zrange(
      this.poolKeys(poolName).proxies,
      opts.offset,
      opts.offset + opts.limit - 1,
    );
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.proxy(poolName, id));
    const results = (await pipeline.exec()) ?? [];
    return results
      .map(([error, hash]) => {
        if (error) throw error;
        return hash as Record<string, string>;
      })
      .filter((hash) => hash.id !== undefined)
      .map((hash) => proxyRecordFromHash(poolName, hash, opts.includeCredentials));
  }

  // ---- leases ------------------------------------------------------------------------

  /** Lease one proxy, or null when none is available now. */
  async acquireProxy(options: AcquireOptions): Promise<Lease | null> {
    const started = performance.now();
    const opts = parseInput(AcquireOptionsSchema, options, 'options');
    const filter = compileFilters(opts.filters);
    const wantStats = this.acquireListeners.size > 0;
    const reply = await this.scripts.run(luaScripts.acquireLease, this.poolKeys(opts.pool), [
      this.keys.poolPrefix(opts.pool),
      randomUUID(),
      opts.consumer,
      opts.durationSeconds === undefined ? '' : secondsToMs(opts.durationSeconds),
      opts.selector ?? '',
      filter,
      this.reclaimBatchSize,
      wantStats ? '1' : '0',
    ]);
    this.throwOnFailure('acquireLease', reply, { pool: opts.pool });
    const lease =
      reply[0] === ScriptCode.OK ? leaseFromReply(opts.pool, opts.consumer, reply) : null;
    if (wantStats) {
      this.acquireListeners.emit({
        lease,
        pool: opts.pool,
        consumer: opts.consumer,
        selector: opts.selector,
        filters: opts.filters,
        durationMs: performance.now() - started,
        poolStats: statsFromReply(reply[1]),
      });
    }
    return lease;
  }

  /**
   * Give a lease back. Releasing an unknown, already released or expired lease is a no-op
   * that says so (`released: false`); it never gives capacity back twice.
   */
  async releaseProxy(lease: Lease | LeaseRef): Promise<ReleaseResult> {
    const ref = parseInput(LeaseRefSchema, lease, 'lease');
    const wantStats = this.releaseListeners.size > 0;
    const reply = await this.scripts.run(luaScripts.releaseLease, this.poolKeys(ref.pool), [
      this.keys.poolPrefix(ref.pool),
      ref.proxyId,
      ref.id,
      wantStats ? '1' : '0',
    ]);
    const released = reply[0] === ScriptCode.OK;
    const result: ReleaseResult = released
      ? { released: true }
      : { released: false, reason: reply[2] as 'not_found' | 'expired' };
    if (wantStats && 'proxy' in lease) {
      this.releaseListeners.emit({
        lease,
        pool: ref.pool,
        result,
        leaseDurationMs: released ? Number(reply[2]) : undefined,
        poolStats: statsFromReply(reply[1]),
      });
    }
    return result;
  }

  /**
   * Renew a live lease: it now expires `seconds` from now (never earlier than before).
   * Throws LeaseExpiredError / LeaseNotFoundError when it is no longer live.
   */
  async extendLease(lease: Lease, seconds: number): Promise<Lease> {
    const ref = parseInput(LeaseRefSchema, lease, 'lease');
    const extension = parseInput(extendSecondsSchema, seconds, 'seconds');
    const reply = await this.scripts.run(luaScripts.extendLease, this.poolKeys(ref.pool), [
      this.keys.poolPrefix(ref.pool),
      ref.proxyId,
      ref.id,
      secondsToMs(extension),
    ]);
    this.throwOnFailure('extendLease', reply, { pool: ref.pool, leaseId: ref.id });
    return { ...lease, expiresAt: Number(reply[1]) };
  }

  /** Acquire, run `fn`, and release on return or throw. Throws if no proxy is available. */
  async withLease<T>(options: AcquireOptions, fn: (lease: Lease) => Promise<T>): Promise<T> {
    const lease = await this.acquireProxy(options);
    if (lease === null) throw new NoProxyAvailableError(options.pool);
    return this.runAndRelease(lease, fn);
  }

  /** acquireProxy, retried with exponential backoff while nothing is available. */
  async acquireProxyWithRetry(options: AcquireOptions & RetryOptions): Promise<Lease | null> {
    const { maxAttempts, backoffSeconds, backoffMultiplier, maxBackoffSeconds, ...acquire } =
      options;
    const retry = parseInput(
      RetryOptionsSchema,
      { maxAttempts, backoffSeconds, backoffMultiplier, maxBackoffSeconds },
      'options',
    );
    let delay = retry.backoffSeconds;
    for (let attempt = 1; ; attempt++) {
      const lease = await this.acquireProxy(acquire);
      if (lease !== null || attempt >= retry.maxAttempts) return lease;
      await sleep(Math.min(delay, retry.maxBackoffSeconds) * 1000);
      delay *= retry.backoffMultiplier;
    }
  }

  /** withLease on top of acquireProxyWithRetry. */
  async withRetryingLease<T>(
    options: AcquireOptions & RetryOptions,
    fn: (lease: Lease) => Promise<T>,
  ): Promise<T> {
    const lease = await this.acquireProxyWithRetry(options);
    if (lease === null) throw new NoProxyAvailableError(options.pool);
    return this.runAndRelease(lease, fn);
  }

  /** Reclaim every expired lease of a pool now; returns how many were reclaimed. */
  async cleanupExpiredLeases(pool: string): Promise<number> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    let total = 0;
    for (;;) {
      const reply = await this.scripts.run(luaScripts.reclaimExpired, this.poolKeys(poolName), [
        this.keys.poolPrefix(poolName),
        SWEEP_BATCH_SIZE,
      ]);
      total += Number(reply[0]);
      if (Number(reply[1]) === 0 || Number(reply[0]) === 0) return total;
    }
  }

  async getPoolStats(pool: string): Promise<PoolStats> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const reply = await this.scripts.run(luaScripts.getPoolStats, this.poolKeys(poolName), [
      this.keys.poolPrefix(poolName),
      SWEEP_BATCH_SIZE,
    ]);
    this.throwOnFailure('getPoolStats', reply, { pool: poolName });
    return statsFromReply(reply[1]) as PoolStats;
  }

  // ---- events and lifecycle ----------------------------------------------------------

  /** Called after every acquire (lease or null). Returns an unsubscribe function. */
  onAcquire(listener: Listener<AcquireEvent>): () => void {
    return this.acquireListeners.add(listener);
  }

  /** Called after every release. Returns an unsubscribe function. */
  onRelease(listener: Listener<ReleaseEvent>): () => void {
    return this.releaseListeners.add(listener);
  }

  /** Closes the connection if ProxyManager opened it; a client passed in is left open. */
  async close(): Promise<void> {
    this.acquireListeners.clear();
    this.releaseListeners.clear();
    if (this.ownsConnection) await this.redis.quit();
  }

  // ---- internals ---------------------------------------------------------------------

  private poolKeys(pool: string): PoolKeys {
    return this.keys.poolKeys(pool);
  }

  private async runAndRelease<T>(lease: Lease, fn: (lease: Lease) => Promise<T>): Promise<T> {
    try {
      return await fn(lease);
    } finally {
      await this.releaseProxy(lease);
    }
  }

  private throwOnFailure(
    script: string,
    reply: unknown[],
    ctx: { pool: string; proxyId?: string; leaseId?: string; activeLeases?: number },
  ): void {
    const code = Number(reply[0]);
    if (code < 0) throw errorForScriptCode(code, { script, ...ctx });
  }
}
