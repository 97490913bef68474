import {
  type AcquireOptions,
  type ErrorLogQuery,
  type ListProxiesOptions,
  type Outcome,
  type PoolSettings,
  type PoolSettingsInput,
  type ProxyInput,
  parseInput,
  type RetryOptions,
} from '@leasehold/core';
import type { KeySchema } from '@leasehold/core/internal';
import { z } from 'zod';
import {
  claimHealthChecks,
  type HealthCheckResult,
  type HealthCheckTarget,
  type HealthCheckVerdict,
  recordHealthCheck,
} from './health/healthChecks.js';
import { getAllProxyHealth, getProxyHealth, getProxyState } from './health/proxyHealth.js';
import { recoverCooldowns, resetProxy, transitionProxyState } from './health/transitions.js';
import { acquireProxy } from './leasing/acquire.js';
import {
  cleanupExpiredLeases,
  extendLease,
  type LeaseRef,
  recordResult,
  releaseProxy,
} from './leasing/release.js';
import { acquireProxyWithRetry, withAcquiredLease } from './leasing/scopedLeases.js';
import type { Listener } from './listeners.js';
import { ManagerContext } from './managerContext.js';
import { getErrorLog, getPoolCounters, getPoolStats } from './observability/observability.js';
import {
  type DeletedPool,
  type DeletePoolOptions,
  deletePool,
  getPool,
  listPools,
  upsertPool,
} from './pools/poolAdmin.js';
import { addProxies, listProxies, removeProxy } from './pools/proxies.js';
import { isRedisClient, type RedisConnectionOption } from './redis/managerConnections.js';
import { deleteOtherScriptLibraries, scriptLibraries } from './scriptLibrary/scriptLibraries.js';
import type { ScriptLibrary } from './scriptRunner.js';
import { getSessionState, transitionSessionState } from './sessions/sessions.js';
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
  /**
   * Proxies indexed per script call while upsertPool builds a pool's health indexes
   * (healthIndexes turned on): bounds how long one call holds Redis. Default 1000.
   */
  healthIndexBatchSize?: number;
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
    healthIndexBatchSize: z.int().min(1).max(10_000).default(1000),
    onListenerError: z.function().optional(),
    connections: z.int().min(1).max(16).default(1),
  })
  .strict();

/**
 * The manager API used by scrapers. Every decision runs as one Lua script inside Redis, so
 * any number of ProxyManagers in any number of processes share pools safely.
 *
 * A facade: each method validates nothing itself and delegates to the module of its
 * responsibility (pools/, leasing/, health/, sessions/, observability/, scriptLibrary/),
 * which all share one ManagerContext (connections, keys, script runner, listeners). Every
 * call fails with ClientClosedError once close() has run.
 */
export class ProxyManager {
  readonly keys: KeySchema;
  private readonly ctx: ManagerContext;

  constructor(options: ProxyManagerOptions) {
    const parsed = parseInput(ManagerOptionsSchema, options, 'options');
    this.ctx = new ManagerContext({
      ...parsed,
      onListenerError:
        (parsed.onListenerError as ProxyManagerOptions['onListenerError']) ??
        ((error: unknown, eventName: string) =>
          process.emitWarning(`Leasehold ${eventName} listener threw: ${String(error)}`)),
    });
    this.keys = this.ctx.keys;
  }

  // ---- pool administration ---------------------------------------------------------

  /**
   * Create a pool, or change the settings given on an existing one: the others keep their
   * values (a new pool gets the defaults). `disableAfterOpens` / `scopeMaxConcurrency` of
   * null or 0 clear those limits. Returns the merged settings. Turning `healthIndexes` on
   * builds the indexes in bounded batches before it returns.
   */
  upsertPool(input: PoolSettingsInput): Promise<PoolSettings & { created: boolean }> {
    return this.ctx.guard(() => upsertPool(this.ctx, input));
  }

  /** Settings of a pool, or null if it does not exist. */
  getPool(name: string): Promise<PoolSettings | null> {
    return this.ctx.guard(() => getPool(this.ctx, name));
  }

  listPools(): Promise<string[]> {
    return this.ctx.guard(() => listPools(this.ctx));
  }

  /**
   * Delete a pool with every key of it, in bounded batches. Throws PoolBusyError while it has
   * live leases, PoolNotFoundError if it does not exist.
   */
  deletePool(name: string, options: DeletePoolOptions = {}): Promise<DeletedPool> {
    return this.ctx.guard(() => deletePool(this.ctx, name, options));
  }

  /**
   * Add proxies, or update labels/tags/maxConcurrency of ones already there (same URL =
   * same id). Every input is validated first: one bad proxy and none is added.
   */
  addProxies(pool: string, inputs: readonly (ProxyInput | string)[]): Promise<ProxyRecord[]> {
    return this.ctx.guard(() => addProxies(this.ctx, pool, inputs));
  }

  /** Remove a proxy. Throws ProxyBusyError while it has live leases. */
  removeProxy(pool: string, proxyId: string): Promise<void> {
    return this.ctx.guard(() => removeProxy(this.ctx, pool, proxyId));
  }

  /** Proxies in insertion order. URLs are redacted unless includeCredentials is set. */
  listProxies(pool: string, options: ListProxiesOptions = {}): Promise<ProxyRecord[]> {
    return this.ctx.guard(() => listProxies(this.ctx, pool, options));
  }

  // ---- leasing (retrieval and rotation) --------------------------------------------

  /**
   * Lease one proxy, or null when none is available now. With `session: true` the lease
   * carries a usable sticky session (an idle one, or a new one up to the pool's
   * maxSessions); with `session: { id }` it resumes that session on its own proxy (null
   * while that proxy is busy; SessionDisabledError once the session is retired). With a
   * `scope`, proxies resting for that scope are passed over. With `waitMs`, waits up to
   * that long for capacity (woken by the release that frees it, not by polling) before
   * returning null; close() ends the wait with ClientClosedError.
   */
  acquireProxy(options: AcquireOptions): Promise<Lease | null> {
    return this.ctx.guard(() => acquireProxy(this.ctx, options));
  }

  /**
   * Give a lease back, optionally with the outcome of its last request (one round trip).
   * Without an outcome, health is not touched. Releasing an unknown, already released or
   * expired lease is a no-op that says so (`released: false`); it never gives capacity
   * back twice. An expired lease's outcome still counts for the proxy's health.
   */
  releaseProxy(lease: Lease | LeaseRef, outcome?: Outcome): Promise<ReleaseResult> {
    return this.ctx.guard(() => releaseProxy(this.ctx, lease, outcome));
  }

  /**
   * Record the outcome of a request made through a live lease without releasing it (long
   * leases making many requests). Throws LeaseNotFoundError / LeaseExpiredError.
   */
  recordResult(lease: Lease | LeaseRef, outcome: Outcome): Promise<void> {
    return this.ctx.guard(() => recordResult(this.ctx, lease, outcome));
  }

  /**
   * Renew a live lease: it now expires `seconds` from now (never earlier than before).
   * Throws LeaseExpiredError / LeaseNotFoundError when it is no longer live.
   */
  extendLease(lease: Lease, seconds: number): Promise<Lease> {
    return this.ctx.guard(() => extendLease(this.ctx, lease, seconds));
  }

  /** Acquire, run `fn`, and release on return or throw. Throws if no proxy is available. */
  withLease<T>(options: AcquireOptions, fn: (lease: Lease) => Promise<T>): Promise<T> {
    return withAcquiredLease(
      options.pool,
      this.acquireProxy(options),
      (lease) => this.releaseProxy(lease),
      fn,
    );
  }

  /** acquireProxy, retried with exponential backoff while nothing is available. */
  acquireProxyWithRetry(options: AcquireOptions & RetryOptions): Promise<Lease | null> {
    return this.ctx.guard(() => acquireProxyWithRetry(this.ctx, options));
  }

  /** withLease on top of acquireProxyWithRetry. */
  withRetryingLease<T>(
    options: AcquireOptions & RetryOptions,
    fn: (lease: Lease) => Promise<T>,
  ): Promise<T> {
    return withAcquiredLease(
      options.pool,
      this.acquireProxyWithRetry(options),
      (lease) => this.releaseProxy(lease),
      fn,
    );
  }

  /** Reclaim every expired lease of a pool now; returns how many were reclaimed. */
  cleanupExpiredLeases(pool: string): Promise<number> {
    return this.ctx.guard(() => cleanupExpiredLeases(this.ctx, pool));
  }

  // ---- observability ---------------------------------------------------------------

  getPoolStats(pool: string): Promise<PoolStats> {
    return this.ctx.guard(() => getPoolStats(this.ctx, pool));
  }

  /** Pool-wide monotonic totals (selections, outcomes, latency histogram, opens, expiries). */
  getPoolCounters(pool: string): Promise<PoolCounters> {
    return this.ctx.guard(() => getPoolCounters(this.ctx, pool));
  }

  /**
   * The pool's error log, newest first: failures, transitions (circuit and status changes,
   * session retirements) and expired leases, optionally for one proxy or session.
   */
  getErrorLog(pool: string, query: ErrorLogQuery = {}): Promise<ErrorLogEntry[]> {
    return this.ctx.guard(() => getErrorLog(this.ctx, pool, query));
  }

  // ---- health monitoring -----------------------------------------------------------

  /** Live state of one proxy: status, circuit, streaks, rests, leases. */
  getProxyState(pool: string, proxyId: string): Promise<ProxyState> {
    return this.ctx.guard(() => getProxyState(this.ctx, pool, proxyId));
  }

  /** Health of one proxy: counters, success rate, latency (mean, p50, p95), score 0..1. */
  getProxyHealth(pool: string, proxyId: string): Promise<ProxyHealth> {
    return this.ctx.guard(() => getProxyHealth(this.ctx, pool, proxyId));
  }

  /** Health of every proxy of a pool, in insertion order (read in pages). */
  getAllProxyHealth(pool: string): Promise<ProxyHealth[]> {
    return this.ctx.guard(() => getAllProxyHealth(this.ctx, pool));
  }

  /**
   * Operator transition: `disabled` takes a proxy out of rotation (and retires its
   * sessions); `active` brings it back with a closed circuit. Returns whether it changed.
   */
  transitionProxyState(
    pool: string,
    proxyId: string,
    status: 'active' | 'disabled',
    reason: string,
  ): Promise<boolean> {
    return this.ctx.guard(() => transitionProxyState(this.ctx, pool, proxyId, status, reason));
  }

  /** Clear a proxy's health counters and close its circuit (status and leases are kept). */
  resetProxy(pool: string, proxyId: string, reason = 'manual_reset'): Promise<void> {
    return this.ctx.guard(() => resetProxy(this.ctx, pool, proxyId, reason));
  }

  /** Process due cooldowns of a pool now (open → half-open, rests lifted); returns how many. */
  recoverCooldowns(pool: string): Promise<number> {
    return this.ctx.guard(() => recoverCooldowns(this.ctx, pool));
  }

  /**
   * Internal (the worker's health-check job): claim the open-circuit and benched proxies due
   * for an active probe. The targets carry credentials: never log them.
   */
  claimHealthChecks(
    pool: string,
    options: { intervalSeconds: number; limit?: number; scanLimit?: number },
  ): Promise<HealthCheckTarget[]> {
    return this.ctx.guard(() => claimHealthChecks(this.ctx, pool, options));
  }

  /** Internal (the worker's health-check job): record one probe's result. */
  recordHealthCheck(
    pool: string,
    proxyId: string,
    result: HealthCheckResult,
  ): Promise<HealthCheckVerdict> {
    return this.ctx.guard(() => recordHealthCheck(this.ctx, pool, proxyId, result));
  }

  // ---- sessions --------------------------------------------------------------------

  getSessionState(pool: string, sessionId: string): Promise<SessionState> {
    return this.ctx.guard(() => getSessionState(this.ctx, pool, sessionId));
  }

  /** Operator transition of a session. Re-enabling needs its proxy active. */
  transitionSessionState(
    pool: string,
    sessionId: string,
    status: 'active' | 'disabled',
    reason: string,
  ): Promise<boolean> {
    return this.ctx.guard(() => transitionSessionState(this.ctx, pool, sessionId, status, reason));
  }

  // ---- script library --------------------------------------------------------------

  /**
   * The Leasehold script libraries on the server (`leasehold_<version>`, one per Leasehold
   * version that has run against it), this client's first.
   */
  scriptLibraries(): Promise<ScriptLibrary[]> {
    return this.ctx.guard(() => scriptLibraries(this.ctx));
  }

  /**
   * Delete the libraries of other Leasehold versions, on every master; returns their names.
   * Safe while older clients still run: they load their own version again on their next call.
   */
  deleteOtherScriptLibraries(): Promise<string[]> {
    return this.ctx.guard(() => deleteOtherScriptLibraries(this.ctx));
  }

  // ---- events and lifecycle --------------------------------------------------------

  /** Called after every acquire (lease or null). Returns an unsubscribe function. */
  onAcquire(listener: Listener<AcquireEvent>): () => void {
    return this.ctx.acquireListeners.add(listener);
  }

  /** Called after every release. Returns an unsubscribe function. */
  onRelease(listener: Listener<ReleaseEvent>): () => void {
    return this.ctx.releaseListeners.add(listener);
  }

  /**
   * Closes the connections ProxyManager opened (a client passed in is left open). Waiting
   * acquires end with ClientClosedError, and so does every call after it.
   */
  close(): Promise<void> {
    return this.ctx.close();
  }
}
