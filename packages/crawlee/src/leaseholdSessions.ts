// The crawler-independent core: a session handle bound to one live lease. Crawlee 3's glue
// (crawlee3.ts) is built on it, and so can Crawlee 4's pluggable ISessionPool
// (getSession(id?) → a session with markGood / markBad / retire).
import {
  type AcquireOptions,
  type ClassifyInput,
  classifyOutcome,
  type ErrorCategory,
  type Lease,
  LIMITS,
  NoProxyAvailableError,
  type Outcome,
  type ProxyManager,
  SessionDisabledError,
  SessionNotFoundError,
} from '@leasehold/client';
import {
  consumerSchema,
  PROXY_PROTOCOLS,
  ProxyFiltersSchema,
  parseInput,
  poolNameSchema,
  SELECTOR_STRATEGIES,
  scopeSchema,
  sessionIdSchema,
  utf8Bytes,
} from '@leasehold/core';
import { z } from 'zod';

export const LeaseholdSessionsOptionsSchema = z
  .object({
    pool: poolNameSchema,
    consumer: consumerSchema.optional(),
    /** How long to wait for a free proxy before giving up on a request. */
    waitMs: z.number().finite().min(0).max(LIMITS.maxWaitMs).default(30_000),
    /**
     * How long a resume waits while the session is held by another request or its proxy is
     * busy or resting; then the caller gets another (idle or new) session. Default 0: a
     * crawler running requests of one session side by side must not queue them one by one.
     */
    resumeWaitMs: z.number().finite().min(0).max(LIMITS.maxWaitMs).default(0),
    /** Lease duration; the pool's leaseSeconds when absent. A safety net if a release is lost. */
    durationSeconds: z.number().finite().positive().max(LIMITS.maxSeconds).optional(),
    selector: z.enum(SELECTOR_STRATEGIES).optional(),
    filters: ProxyFiltersSchema.optional(),
  })
  .strict();
export type LeaseholdSessionsOptions = z.input<typeof LeaseholdSessionsOptionsSchema>;

const GetSessionOptionsSchema = z
  .object({
    scope: scopeSchema.optional(),
    /**
     * Only proxies of these protocols are handed out (Crawlee 3's HTTP client takes http and
     * https only); another is given back untouched, nobody's failure, and the next one tried.
     */
    protocols: z.array(z.enum(PROXY_PROTOCOLS)).min(1).max(PROXY_PROTOCOLS.length).optional(),
  })
  .strict();
export type GetSessionOptions = z.input<typeof GetSessionOptionsSchema>;

/** What a request through a session ended with: what the scraper saw, classified by Leasehold. */
export type SessionReport = ClassifyInput & {
  message?: string;
  latencyMs?: number;
  /** The verdict when the caller knows better than the status (a CAPTCHA page answered 200). */
  category?: ErrorCategory;
};

/** A Leasehold sticky session leased with its proxy for one request (or a few). */
export interface LeaseholdSession {
  /** The Leasehold session id (resume it with getSession(id), from any process). */
  readonly id: string;
  /** getSession(id) resumed that session (false: an idle or new session was handed out). */
  readonly resumed: boolean;
  readonly lease: Lease;
  /** The proxy to send the request through (with its credentials). */
  readonly proxyUrl: string;
  /** The session's data (e.g. its cookie jar) as the last release saved it; '' when new. */
  readonly data: string;
  /** An end method ran: the lease is (being) given back. */
  readonly ended: boolean;
  /** The data saved with the outcome on release (at most LIMITS.maxSessionDataBytes bytes). */
  setData(data: string): void;
  /** Classify what the request saw (status, error, Retry-After), report it, release. */
  report(input: SessionReport): Promise<void>;
  markGood(details?: { latencyMs?: number }): Promise<void>;
  /** A failure: classified from `input`; with nothing to classify, category `unknown`. */
  markBad(input?: SessionReport): Promise<void>;
  /** Disable the session in Leasehold (no process resumes it again) and release. */
  retire(reason?: string): Promise<void>;
  /** Release without an outcome (health untouched). */
  release(): Promise<void>;
}

const retireReasonSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\n\r]*$/, 'must be one line');

/**
 * Hands out Leasehold sessions bound to live leases. Every handle is given back by exactly
 * one of its end methods (the first wins; the others are no-ops), so a caller can end it on
 * every path without counting.
 */
export class LeaseholdSessions {
  readonly manager: ProxyManager;
  readonly options: z.output<typeof LeaseholdSessionsOptionsSchema>;
  private readonly open = new Set<SessionHandle>();

  constructor(manager: ProxyManager, options: LeaseholdSessionsOptions) {
    this.manager = manager;
    this.options = parseInput(LeaseholdSessionsOptionsSchema, options, 'options');
  }

  /**
   * A session with a live lease. With `id`, resumes that Leasehold session (its proxy, its
   * data), waiting up to resumeWaitMs for its proxy; if the session is retired, unknown or its
   * proxy stays busy, hands out an idle session of the pool or starts one (check `.id`).
   * With `protocols`, a proxy of another protocol is released untouched and skipped.
   * Waits up to waitMs for capacity, then throws NoProxyAvailableError.
   */
  async getSession(id?: string, options: GetSessionOptions = {}): Promise<LeaseholdSession> {
    let resumeId = id === undefined ? undefined : parseInput(sessionIdSchema, id, 'id');
    const { scope, protocols } = parseInput(GetSessionOptionsSchema, options, 'options');
    const { pool, consumer, waitMs, resumeWaitMs, durationSeconds, selector, filters } =
      this.options;
    const base = {
      pool,
      ...(consumer === undefined ? {} : { consumer }),
      ...(durationSeconds === undefined ? {} : { durationSeconds }),
      ...(selector === undefined ? {} : { selector }),
      ...(scope === undefined ? {} : { scope }),
    };
    const deadline = performance.now() + waitMs;
    const skipped: string[] = [];
    for (;;) {
      const exclude = [...(filters?.exclude ?? []), ...skipped];
      // No filters object when there is nothing to filter: acquire skips compiling one.
      const filtered =
        filters === undefined && exclude.length === 0
          ? base
          : { ...base, filters: { ...filters, exclude } };
      const wait = Math.max(0, deadline - performance.now());
      const { lease, resumed } = await this.lease(filtered, resumeId, resumeWaitMs, wait);
      if (protocols === undefined || protocols.includes(lease.proxy.protocol)) {
        const handle = new SessionHandle(this, lease, resumed, () => this.open.delete(handle));
        this.open.add(handle);
        return handle;
      }
      await this.manager.releaseProxy(lease);
      skipped.push(lease.proxyId);
      resumeId = undefined;
      if (exclude.length >= LIMITS.maxExclude) throw new NoProxyAvailableError(pool);
    }
  }

  /** Resume `resumeId` if it can be (within resumeWaitMs), else an idle or new session. */
  private async lease(
    base: AcquireOptions,
    resumeId: string | undefined,
    resumeWaitMs: number,
    waitMs: number,
  ): Promise<{ lease: Lease; resumed: boolean }> {
    let lease: Lease | null = null;
    if (resumeId !== undefined) {
      try {
        lease = await this.manager.acquireProxy({
          ...base,
          session: { id: resumeId },
          waitMs: resumeWaitMs,
        });
      } catch (error) {
        if (!(error instanceof SessionDisabledError || error instanceof SessionNotFoundError))
          throw error;
      }
    }
    const resumed = lease !== null;
    lease ??= await this.manager.acquireProxy({ ...base, session: true, waitMs });
    if (lease === null) throw new NoProxyAvailableError(base.pool);
    return { lease, resumed };
  }

  /** Handles not ended yet. */
  get openSessions(): number {
    return this.open.size;
  }

  /** Release every handle not ended yet (a crawler stopped by a critical error); returns how many. */
  async releaseAll(): Promise<number> {
    const handles = [...this.open];
    await Promise.all(handles.map((handle) => handle.release()));
    return handles.length;
  }
}

class SessionHandle implements LeaseholdSession {
  readonly id: string;
  readonly proxyUrl: string;
  readonly data: string;
  private newData: string | undefined;
  private ending: Promise<void> | undefined;

  constructor(
    private readonly owner: LeaseholdSessions,
    readonly lease: Lease,
    readonly resumed: boolean,
    private readonly onEnded: () => void,
  ) {
    // acquireProxy was asked for a session, so the lease always carries one.
    const session = lease.session as { id: string; data: string };
    this.id = session.id;
    this.data = session.data;
    this.proxyUrl = lease.proxy.url;
  }

  get ended(): boolean {
    return this.ending !== undefined;
  }

  setData(data: string): void {
    // Too big for Leasehold: keep what the session had rather than fail the release.
    this.newData = utf8Bytes(data) <= LIMITS.maxSessionDataBytes ? data : undefined;
  }

  report(input: SessionReport): Promise<void> {
    return this.end(() => this.releaseWith(toOutcome(input, false)));
  }

  markGood(details: { latencyMs?: number } = {}): Promise<void> {
    return this.end(() => this.releaseWith({ ok: true, ...latency(details.latencyMs) }));
  }

  markBad(input: SessionReport = {}): Promise<void> {
    return this.end(() => this.releaseWith(toOutcome(input, true)));
  }

  retire(reason = 'retired_by_crawler'): Promise<void> {
    const why = parseInput(retireReasonSchema, reason, 'reason');
    return this.end(async () => {
      const { manager, options } = this.owner;
      try {
        await manager.transitionSessionState(options.pool, this.id, 'disabled', why);
      } finally {
        await this.releaseWith(undefined);
      }
    });
  }

  release(): Promise<void> {
    return this.end(() => this.releaseWith(undefined));
  }

  private end(work: () => Promise<void>): Promise<void> {
    this.ending ??= work().finally(this.onEnded);
    return this.ending;
  }

  private async releaseWith(outcome: Outcome | undefined): Promise<void> {
    // Data travels with an outcome; a plain release reports nothing, data included.
    const sessionData = this.newData === undefined ? {} : { sessionData: this.newData };
    await this.owner.manager.releaseProxy(
      this.lease,
      outcome === undefined ? undefined : { ...outcome, ...sessionData },
    );
  }
}

function latency(ms: number | undefined): { latencyMs?: number } {
  return ms === undefined || !Number.isFinite(ms) || ms < 0
    ? {}
    : { latencyMs: Math.min(3_600_000, ms) };
}

/** ClassifyInput → Outcome; `mustFail`: a success verdict becomes an `unknown` failure. */
function toOutcome(input: SessionReport, mustFail: boolean): Outcome {
  const { message, latencyMs, category, ...seen } = input;
  if (category !== undefined) {
    const status = seen.statusCode;
    const valid =
      Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 999;
    return {
      ok: false,
      error: category,
      ...(valid ? { statusCode: status as number } : {}),
      ...latency(latencyMs),
      ...text(message),
    };
  }
  const nothingSeen =
    seen.statusCode === undefined && (seen.error === undefined || seen.error === null);
  const classified = nothingSeen && mustFail ? null : classifyOutcome(seen);
  if (classified?.ok) {
    if (!mustFail) return { ok: true, ...latency(latencyMs) };
    return { ok: false, error: 'unknown', ...latency(latencyMs), ...text(message) };
  }
  return {
    ...(classified ?? { ok: false as const, error: 'unknown' as const }),
    ...latency(latencyMs),
    ...text(message),
  };
}

function text(message: string | undefined): { message?: string } {
  return message === undefined ? {} : { message: message.slice(0, 1000) };
}
