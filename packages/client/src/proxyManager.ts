import { randomUUID } from 'node:crypto';
import {
  type AcquireOptions,
  AcquireOptionsSchema,
  type ErrorLogQuery,
  ErrorLogQuerySchema,
  errorForScriptCode,
  extendSecondsSchema,
  KeySchema,
  type ListProxiesOptions,
  ListProxiesOptionsSchema,
  type LuaScript,
  leaseIdSchema,
  luaScripts,
  NoProxyAvailableError,
  type Outcome,
  OutcomeSchema,
  type ParsedAcquireOptions,
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
  type ScriptFailureContext,
  type SelectorStrategy,
  secondsToMs,
  sessionIdSchema,
  transitionReasonSchema,
  ValidationError,
} from '@leasehold/core';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { CapacitySignal } from './capacitySignal.js';
import {
  duplicateConnections,
  isRedisClient,
  openRedisConnection,
  type RedisConnectionOption,
} from './connection.js';
import { compileFilters } from './filters.js';
import { newLeaseId } from './leaseIds.js';
import { type Listener, ListenerSet } from './listeners.js';
import { outcomeArgs } from './outcomeArgs.js';
import {
  errorLogEntryFromStream,
  hashFromFlat,
  leaseFromReply,
  poolCountersFromHash,
  proxyHealthFromHash,
  proxyRecordFromHash,
  proxyStateFromHash,
  sessionStateFromHash,
  statsFromReply,
} from './replies.js';
import { type ScriptLibrary, ScriptRunner } from './scriptRunner.js';
import type {
  AcquireEvent,
  ErrorLogEntry,
  Lease,
  PoolCounters,
  PoolStats,
  ProxyHealth,
  ProxyRecord,
  ProxyState,
  ReleaseEvent,
  ReleaseResult,
  SessionState,
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
  /**
   * Connections the scripts are spread over, round-robin; default 1. With one, the client and
   * Redis take turns (Redis runs a pipelined batch while the client waits, then the client
   * handles the replies while Redis waits); with two they overlap: +49 % cycles/s in the
   * benchmark. The price: calls that are not awaited one after the other may reach Redis in
   * any order (a release you did not await may land after your next acquire), so it is
   * opt-in. Extra connections are `duplicate()`s of `redis`, closed by close().
   */
  connections?: number;
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
    connections: z.int().min(1).max(16).default(1),
  })
  .strict();

const LeaseRefSchema = z.object({
  id: leaseIdSchema,
  pool: poolNameSchema,
  proxyId: proxyIdSchema,
});
const TransitionSchema = z.object({
  status: z.enum(['active', 'disabled']),
  reason: transitionReasonSchema,
});
type LeaseRef = z.infer<typeof LeaseRefSchema>;

/** Proxies per script call when adding: keeps each atomic step short on a busy Redis. */
const ADD_BATCH_SIZE = 500;
/** Batch size for explicit sweeps (cleanupExpiredLeases, stats). */
const SWEEP_BATCH_SIZE = 1000;
/** Proxies per readProxies call in getAllProxyHealth. */
const HEALTH_PAGE_SIZE = 200;
/** Stream entries per XREVRANGE when reading the error log. */
const LOG_PAGE_SIZE = 500;
/** A waiter retries at least this often, in case a pub/sub wake-up was lost to a reconnect. */
const LOST_WAKEUP_GUARD_MS = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The manager API used by scrapers. Every decision runs as one Lua script inside Redis, so
 * any number of ProxyManagers in any number of processes share pools safely.
 */
export class ProxyManager {
  readonly keys: KeySchema;
  private readonly redis: Redis | Cluster;
  private readonly ownsConnection: boolean;
  /** Duplicates of `redis` that scripts also run on; always ours to close. */
  private readonly extraConnections: (Redis | Cluster)[];
  private readonly scripts: ScriptRunner;
  private readonly capacity: CapacitySignal;
  private readonly reclaimBatchSize: number;
  private readonly acquireListeners: ListenerSet<AcquireEvent>;
  private readonly releaseListeners: ListenerSet<ReleaseEvent>;

  constructor(options: ProxyManagerOptions) {
    const parsed = parseInput(ManagerOptionsSchema, options, 'options');
    const connection = openRedisConnection(parsed.redis);
    this.redis = connection.redis;
    this.ownsConnection = connection.owned;
    this.extraConnections = duplicateConnections(this.redis, parsed.connections - 1);
    this.keys = new KeySchema(parsed.prefix);
    this.scripts = new ScriptRunner([this.redis, ...this.extraConnections]);
    this.capacity = new CapacitySignal(this.redis);
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
      this.keys.poolPrefix(settings.name),
      ...['selector', settings.selector],
      ...['leaseMs', secondsToMs(settings.leaseSeconds)],
      ...['failureThreshold', settings.failureThreshold],
      ...['cooldownBaseMs', secondsToMs(settings.cooldown.baseSeconds)],
      ...['cooldownMaxMs', secondsToMs(settings.cooldown.maxSeconds)],
      ...['cooldownJitter', settings.cooldown.jitter ? 1 : 0],
      // 0 turns an optional limit off, so re-upserting without it clears an old value.
      ...['disableAfterOpens', settings.disableAfterOpens ?? 0],
      ...['maxSessions', settings.maxSessions],
      ...['sessionMaxUsage', settings.session.maxUsageCount],
      ...['sessionMaxAgeMs', secondsToMs(settings.session.maxAgeSeconds)],
      ...['scopeMaxConcurrency', settings.scopeMaxConcurrency ?? 0],
      ...['errorLogMaxLength', settings.errorLogMaxLength],
      ...['healthIndexes', settings.healthIndexes ? 1 : 0],
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
      ...(Number(hash.disableAfterOpens) > 0
        ? { disableAfterOpens: Number(hash.disableAfterOpens) }
        : {}),
      maxSessions: Number(hash.maxSessions),
      session: {
        maxUsageCount: Number(hash.sessionMaxUsage),
        maxAgeSeconds: Number(hash.sessionMaxAgeMs) / 1000,
      },
      ...(Number(hash.scopeMaxConcurrency) > 0
        ? { scopeMaxConcurrency: Number(hash.scopeMaxConcurrency) }
        : {}),
      errorLogMaxLength: Number(hash.errorLogMaxLength),
      healthIndexes: hash.healthIndexes === '1',
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
    const ids = (await this.proxyIdsAfter(poolName, -1, opts.offset + opts.limit))
      .slice(opts.offset)
      .map(([id]) => id);
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

  /**
   * Lease one proxy, or null when none is available now. With `session: true` the lease
   * carries a usable sticky session (an idle one, or a new one up to the pool's
   * maxSessions); with `session: { id }` it resumes that session on its own proxy (null
   * while that proxy is busy; SessionDisabledError once the session is retired). With a
   * `scope`, proxies resting for that scope are passed over. With `waitMs`, waits up to
   * that long for capacity (woken by the release that frees it, not by polling) before
   * returning null.
   */
  async acquireProxy(options: AcquireOptions): Promise<Lease | null> {
    const started = performance.now();
    const opts = parseInput(AcquireOptionsSchema, options, 'options');
    const wantStats = this.acquireListeners.size > 0;
    const args = this.acquireArgs(opts, wantStats);
    const waitMs = opts.waitMs ?? 0;
    const channel = this.capacityChannel(opts.pool);
    let reply: unknown[];
    if (waitMs > 0 && this.capacity.hasWaiters(channel)) {
      // Others of this process are already waiting: no barging, queue behind them.
      reply = await this.waitAndAcquire(opts, args, started + waitMs, true);
    } else {
      reply = await this.tryAcquire(opts, args);
      if (reply[0] !== ScriptCode.OK && waitMs > 0) {
        reply = await this.waitAndAcquire(opts, args, started + waitMs, false);
      }
    }
    const lease =
      reply[0] === ScriptCode.OK
        ? leaseFromReply(opts.pool, opts.consumer, opts.scope, reply)
        : null;
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
   * Give a lease back, optionally with the outcome of its last request (one round trip).
   * Without an outcome, health is not touched. Releasing an unknown, already released or
   * expired lease is a no-op that says so (`released: false`); it never gives capacity
   * back twice. An expired lease's outcome still counts for the proxy's health.
   */
  async releaseProxy(lease: Lease | LeaseRef, outcome?: Outcome): Promise<ReleaseResult> {
    const ref = parseInput(LeaseRefSchema, lease, 'lease');
    const parsedOutcome =
      outcome === undefined ? undefined : parseInput(OutcomeSchema, outcome, 'outcome');
    const wantStats = this.releaseListeners.size > 0;
    const reply = await this.scripts.run(luaScripts.releaseLease, this.poolKeys(ref.pool), [
      this.keys.poolPrefix(ref.pool),
      ref.proxyId,
      ref.id,
      wantStats ? '1' : '0',
      ...outcomeArgs(parsedOutcome, lease),
    ]);
    const released = reply[0] === ScriptCode.OK;
    const result: ReleaseResult = released
      ? { released: true }
      : { released: false, reason: reply[2] as 'not_found' | 'expired' };
    if (wantStats && 'proxy' in lease) {
      this.releaseListeners.emit({
        lease,
        pool: ref.pool,
        outcome: parsedOutcome,
        result,
        leaseDurationMs: released ? Number(reply[2]) : undefined,
        poolStats: statsFromReply(reply[1]),
      });
    }
    return result;
  }

  /**
   * Record the outcome of a request made through a live lease without releasing it (long
   * leases making many requests). Throws LeaseNotFoundError / LeaseExpiredError.
   */
  async recordResult(lease: Lease | LeaseRef, outcome: Outcome): Promise<void> {
    const ref = parseInput(LeaseRefSchema, lease, 'lease');
    const parsed = parseInput(OutcomeSchema, outcome, 'outcome');
    const reply = await this.scripts.run(luaScripts.recordResult, this.poolKeys(ref.pool), [
      this.keys.poolPrefix(ref.pool),
      ref.proxyId,
      ref.id,
      ...outcomeArgs(parsed, lease),
    ]);
    this.throwOnFailure('recordResult', reply, { pool: ref.pool, leaseId: ref.id });
  }

  /**
   * Renew a live lease: it now expires `seconds` from now (never earlier than before).
   * Throws LeaseExpiredError / LeaseNotFoundError when it is no longer live.
   */
  async extendLease(lease: Lease, seconds: number): Promise<Lease> {
    const ref = parseInput(LeaseRefSchema, lease, 'lease');
    const extension = parseInput(extendSecondsSchema, seconds, 'seconds');
    const reply = await this.scripts.run(luaScripts.extendLease, this.poolKeys(ref.pool), [
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
    return this.sweep(pool, luaScripts.reclaimExpired);
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

  /** Pool-wide monotonic totals (selections, outcomes, latency histogram, opens, expiries). */
  async getPoolCounters(pool: string): Promise<PoolCounters> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const hash = await this.redis.hgetall(this.poolKeys(poolName).pool);
    if (hash.leaseMs === undefined)
      throw errorForScriptCode(ScriptCode.POOL_NOT_FOUND, {
        script: 'getPoolCounters',
        pool: poolName,
      });
    return poolCountersFromHash(hash);
  }

  // ---- health, state and transitions -----------------------------------------------

  /** Live state of one proxy: status, circuit, streaks, rests, leases. */
  async getProxyState(pool: string, proxyId: string): Promise<ProxyState> {
    const entry = await this.readProxy(pool, proxyId);
    return proxyStateFromHash(entry.hash, entry.now);
  }

  /** Health of one proxy: counters, success rate, latency (mean, p50, p95), score 0..1. */
  async getProxyHealth(pool: string, proxyId: string): Promise<ProxyHealth> {
    const entry = await this.readProxy(pool, proxyId);
    return proxyHealthFromHash(entry.hash, entry.score);
  }

  /** Health of every proxy of a pool, in insertion order (read in pages). */
  async getAllProxyHealth(pool: string): Promise<ProxyHealth[]> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const out: ProxyHealth[] = [];
    // Walk by insertion order with a score cursor: O(N log N) for the whole pool.
    for (let after = -1; ; ) {
      const page = await this.proxyIdsAfter(poolName, after, HEALTH_PAGE_SIZE);
      if (page.length === 0) return out;
      after = (page[page.length - 1] as [string, number])[1];
      for (const entry of await this.readProxies(
        poolName,
        page.map(([id]) => id),
      )) {
        if (entry !== undefined) out.push(proxyHealthFromHash(entry.hash, entry.score));
      }
    }
  }

  /**
   * Operator transition: `disabled` takes a proxy out of rotation (and retires its
   * sessions); `active` brings it back with a closed circuit. Returns whether it changed.
   */
  async transitionProxyState(
    pool: string,
    proxyId: string,
    status: 'active' | 'disabled',
    reason: string,
  ): Promise<boolean> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const id = parseInput(proxyIdSchema, proxyId, 'proxyId');
    return this.transition(luaScripts.transitionProxy, poolName, id, status, reason, {
      proxyId: id,
    });
  }

  /** Clear a proxy's health counters and close its circuit (status and leases are kept). */
  async resetProxy(pool: string, proxyId: string, reason = 'manual_reset'): Promise<void> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const id = parseInput(proxyIdSchema, proxyId, 'proxyId');
    const t = parseInput(TransitionSchema, { status: 'active', reason });
    const reply = await this.scripts.run(luaScripts.resetProxy, this.poolKeys(poolName), [
      this.keys.poolPrefix(poolName),
      id,
      t.reason,
    ]);
    this.throwOnFailure('resetProxy', reply, { pool: poolName, proxyId: id });
  }

  async getSessionState(pool: string, sessionId: string): Promise<SessionState> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const id = parseInput(sessionIdSchema, sessionId, 'sessionId');
    const hash = await this.redis.hgetall(this.keys.session(poolName, id));
    if (hash.id === undefined)
      throw errorForScriptCode(ScriptCode.SESSION_NOT_FOUND, {
        script: 'getSession',
        pool: poolName,
        sessionId: id,
      });
    return sessionStateFromHash(hash);
  }

  /** Operator transition of a session. Re-enabling needs its proxy active. */
  async transitionSessionState(
    pool: string,
    sessionId: string,
    status: 'active' | 'disabled',
    reason: string,
  ): Promise<boolean> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const id = parseInput(sessionIdSchema, sessionId, 'sessionId');
    return this.transition(luaScripts.transitionSession, poolName, id, status, reason, {
      sessionId: id,
    });
  }

  /**
   * The pool's error log, newest first: failures, transitions (circuit and status changes,
   * session retirements) and expired leases, optionally for one proxy or session.
   */
  async getErrorLog(pool: string, query: ErrorLogQuery = {}): Promise<ErrorLogEntry[]> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const q = parseInput(ErrorLogQuerySchema, query, 'query');
    const key = this.poolKeys(poolName).errorLog;
    const out: ErrorLogEntry[] = [];
    let end = '+';
    for (;;) {
      const page = (await this.redis.xrevrange(key, end, '-', 'COUNT', LOG_PAGE_SIZE)) as [
        string,
        string[],
      ][];
      for (const [id, fields] of page) {
        const entry = errorLogEntryFromStream(id, fields);
        if (q.proxyId !== undefined && entry.proxyId !== q.proxyId) continue;
        if (q.sessionId !== undefined && entry.sessionId !== q.sessionId) continue;
        out.push(entry);
        if (out.length >= q.limit) return out;
      }
      if (page.length < LOG_PAGE_SIZE) return out;
      end = `(${(page[page.length - 1] as [string, string[]])[0]}`;
    }
  }

  /** Process due cooldowns of a pool now (open → half-open, rests lifted); returns how many. */
  async recoverCooldowns(pool: string): Promise<number> {
    return this.sweep(pool, luaScripts.recoverCooldowns);
  }

  // ---- script library -----------------------------------------------------------------

  /**
   * The Leasehold script libraries on the server (`leasehold_<version>`, one per Leasehold
   * version that has run against it), this client's first.
   */
  scriptLibraries(): Promise<ScriptLibrary[]> {
    return this.scripts.libraries();
  }

  /**
   * Delete the libraries of other Leasehold versions, on every master; returns their names.
   * Safe while older clients still run: they load their own version again on their next call.
   */
  deleteOtherScriptLibraries(): Promise<string[]> {
    return this.scripts.deleteOtherVersions();
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

  /** Closes the connections ProxyManager opened (a client passed in is left open). */
  async close(): Promise<void> {
    this.acquireListeners.clear();
    this.releaseListeners.clear();
    await this.capacity.close();
    await Promise.all(this.extraConnections.map((c) => c.quit().catch(() => c.disconnect())));
    if (this.ownsConnection) await this.redis.quit();
  }

  // ---- internals ---------------------------------------------------------------------

  private poolKeys(pool: string): PoolKeys {
    return this.keys.poolKeys(pool);
  }

  /**
   * The next `count` proxy ids (with their insertion order) after order `after`. A proxy is
   * in exactly one of available:byOrder and unavailable, so the pool is their merge.
   */
  private async proxyIdsAfter(
    pool: string,
    after: number,
    count: number,
  ): Promise<[string, number][]> {
    const keys = this.poolKeys(pool);
    const pipeline = this.redis.pipeline();
    for (const key of [keys.availableByOrder, keys.unavailable]) {
      pipeline.zrangebyscore(key, `(${after}`, '+inf', 'WITHSCORES', 'LIMIT', 0, count);
    }
    const merged: [string, number][] = [];
    for (const [error, flat] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const items = flat as string[];
      for (let i = 0; i + 1 < items.length; i += 2)
        merged.push([items[i] as string, Number(items[i + 1])]);
    }
    return merged.sort((a, b) => a[1] - b[1]).slice(0, count);
  }

  /** transitionProxy / transitionSession: `{ 1, changed }` or a failure code. */
  private async transition(
    script: LuaScript,
    pool: string,
    id: string,
    status: 'active' | 'disabled',
    reason: string,
    ctx: { proxyId?: string; sessionId?: string },
  ): Promise<boolean> {
    const t = parseInput(TransitionSchema, { status, reason });
    const reply = await this.scripts.run(script, this.poolKeys(pool), [
      this.keys.poolPrefix(pool),
      id,
      t.status,
      t.reason,
    ]);
    this.throwOnFailure(script.name, reply, { pool, ...ctx });
    return reply[1] === 1;
  }

  /** Run a `{ done, remaining }` script in bounded batches until nothing is due. */
  private async sweep(pool: string, script: LuaScript): Promise<number> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    let total = 0;
    for (;;) {
      const reply = await this.scripts.run(script, this.poolKeys(poolName), [
        this.keys.poolPrefix(poolName),
        SWEEP_BATCH_SIZE,
      ]);
      total += Number(reply[0]);
      if (Number(reply[1]) === 0 || Number(reply[0]) === 0) return total;
    }
  }

  /** One proxy read by readProxies; ProxyNotFoundError when it is not in the pool. */
  private async readProxy(pool: string, proxyId: string) {
    const [entry] = await this.readProxies(pool, [parseInput(proxyIdSchema, proxyId, 'proxyId')]);
    if (entry === undefined) {
      throw errorForScriptCode(ScriptCode.PROXY_NOT_FOUND, {
        script: 'readProxies',
        pool,
        proxyId,
      });
    }
    return entry;
  }

  private async readProxies(
    pool: string,
    ids: readonly string[],
  ): Promise<({ hash: Record<string, string>; score: number; now: number } | undefined)[]> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const reply = await this.scripts.run(luaScripts.readProxies, this.poolKeys(poolName), [
      this.keys.poolPrefix(poolName),
      this.reclaimBatchSize,
      ...ids,
    ]);
    this.throwOnFailure('readProxies', reply, { pool: poolName });
    const now = Number(reply[1]);
    return (reply[2] as unknown[][]).map((entry) =>
      entry.length === 0
        ? undefined
        : { hash: hashFromFlat(entry[0]), score: Number(entry[1]), now },
    );
  }

  /** ARGV of acquireLease (see its header); the lease id is fresh for every attempt. */
  private acquireArgs(opts: ParsedAcquireOptions, wantStats: boolean): (string | number)[] {
    const session = opts.session;
    const resumeId = session === undefined || session === true ? undefined : session.id;
    return [
      this.keys.poolPrefix(opts.pool),
      '',
      opts.consumer,
      opts.durationSeconds === undefined ? '' : secondsToMs(opts.durationSeconds),
      opts.selector ?? '',
      compileFilters(opts.filters),
      this.reclaimBatchSize,
      wantStats ? '1' : '0',
      opts.scope ?? '',
      session === undefined ? '' : session === true ? 'new' : 'resume',
      // The id a new session gets ('new' mode only), or the session to resume.
      resumeId ?? (session === true ? randomUUID() : ''),
      '',
    ];
  }

  private async tryAcquire(
    opts: ParsedAcquireOptions,
    args: (string | number)[],
  ): Promise<unknown[]> {
    args[1] = newLeaseId();
    args[11] = String(Math.random());
    const reply = await this.scripts.run(luaScripts.acquireLease, this.poolKeys(opts.pool), args);
    const session = opts.session;
    this.throwOnFailure('acquireLease', reply, {
      pool: opts.pool,
      ...(session === undefined || session === true ? {} : { sessionId: session.id }),
      reason: String(reply[1] ?? ''),
    });
    return reply;
  }

  /**
   * Retry an acquire each time capacity appears in the pool (a pub/sub wake-up, see
   * CapacitySignal) until it succeeds or the deadline passes. A slow periodic retry only
   * guards against a wake-up lost to a reconnect.
   */
  private capacityChannel(pool: string): string {
    return `${this.keys.poolPrefix(pool)}capacity`;
  }

  private async waitAndAcquire(
    opts: ParsedAcquireOptions,
    args: (string | number)[],
    deadline: number,
    queueFirst: boolean,
  ): Promise<unknown[]> {
    const channel = this.capacityChannel(opts.pool);
    const since = performance.now();
    // In line from now on, even while the subscription is still being set up (on a cluster
    // that can take a while), so a caller arriving meanwhile queues behind instead of barging.
    this.capacity.enter(channel);
    try {
      await this.capacity.listen(channel);
      if (queueFirst) {
        await this.capacity.wait(channel, since, Math.min(deadline - since, LOST_WAKEUP_GUARD_MS));
      }
      for (;;) {
        const generation = this.capacity.generation(channel);
        const reply = await this.tryAcquire(opts, args);
        const remaining = deadline - performance.now();
        if (reply[0] === ScriptCode.OK || remaining <= 0) return reply;
        // A wake-up during the attempt may be for capacity this attempt did not see.
        if (this.capacity.generation(channel) !== generation) continue;
        await this.capacity.wait(channel, since, Math.min(remaining, LOST_WAKEUP_GUARD_MS));
      }
    } finally {
      this.capacity.leave(channel);
    }
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
    ctx: Omit<ScriptFailureContext, 'script'>,
  ): void {
    const code = Number(reply[0]);
    if (code < 0) throw errorForScriptCode(code, { script, ...ctx });
  }
}
