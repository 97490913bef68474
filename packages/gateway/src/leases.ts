// Leasing for one request or tunnel: the username's options over the gateway's defaults,
// acquire, and the refusal a caller sees when there is no lease. Every lease taken here is
// tracked until it is released, so close() can release what is still out.
import type { Lease, ProxyManager } from '@leasehold/client';
import {
  ClientClosedError,
  LeaseholdError,
  type Outcome,
  outcomeMessage,
  PoolNotFoundError,
  ValidationError,
} from '@leasehold/core';
import type { GatewayRefusal } from './answers.js';
import { parseUsername, UsernameError } from './username.js';

export interface LeaseDefaults {
  pool: string;
  waitMs: number;
}

export type LeaseAnswer = { lease: Lease } | { refusal: GatewayRefusal };

/** Retry-After for a 503: the wait the client just had, in whole seconds (at least 1). */
function retryAfterSeconds(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}

function refusalOf(error: unknown, pool: string, waitMs: number): GatewayRefusal {
  if (error instanceof UsernameError) return { code: 'bad_username', message: error.message };
  if (error instanceof PoolNotFoundError)
    return { code: 'pool_not_found', message: `pool "${pool}" does not exist` };
  if (error instanceof LeaseholdError && error.code.startsWith('SESSION_'))
    return { code: 'session_not_found', message: 'that session cannot be resumed' };
  if (error instanceof ValidationError)
    return { code: 'bad_username', message: `${error.field ?? 'username'}: invalid` };
  if (error instanceof ClientClosedError)
    return { code: 'shutting_down', message: 'the gateway is closing' };
  return {
    code: 'no_proxy_available',
    message: 'no proxy could be leased',
    headers: { 'retry-after': retryAfterSeconds(waitMs) },
  };
}

/** The leases a gateway holds now, each released once (by its exchange or by close()). */
export class LeaseBook {
  private readonly live = new Map<string, Lease>();
  /** Aborts waiting acquires when the gateway closes. */
  private readonly closing = new AbortController();

  constructor(
    private readonly manager: ProxyManager,
    private readonly defaults: LeaseDefaults,
  ) {}

  get size(): number {
    return this.live.size;
  }

  /** Acquires for `username` under the target's host; never throws. */
  async acquire(username: string, targetHost: string): Promise<LeaseAnswer> {
    let pool = this.defaults.pool;
    let waitMs = this.defaults.waitMs;
    try {
      const asked = parseUsername(username);
      pool = asked.pool ?? pool;
      waitMs = asked.waitMs ?? waitMs;
      const lease = await this.manager.acquireProxy({
        pool,
        waitMs,
        scope: asked.scope ?? targetHost,
        signal: this.closing.signal,
        ...(asked.consumer === undefined ? {} : { consumer: asked.consumer }),
        ...(asked.session === undefined ? {} : { session: { id: asked.session } }),
        ...(Object.keys(asked.labels).length === 0 ? {} : { filters: asked.labels }),
      });
      if (lease === null) return { refusal: refusalOf(null, pool, waitMs) };
      if (this.closing.signal.aborted) {
        await this.manager.releaseProxy(lease).catch(() => {});
        return { refusal: refusalOf(new ClientClosedError(), pool, waitMs) };
      }
      this.live.set(lease.id, lease);
      return { lease };
    } catch (error) {
      if (this.closing.signal.aborted)
        return { refusal: refusalOf(new ClientClosedError(), pool, waitMs) };
      return { refusal: refusalOf(error, pool, waitMs) };
    }
  }

  /** Releases with the outcome (none: nobody's fault); a second call is a no-op. */
  async release(lease: Lease, outcome?: Outcome): Promise<void> {
    const current = this.live.get(lease.id);
    if (current === undefined) return;
    this.live.delete(lease.id);
    await this.manager.releaseProxy(current, outcome).catch(() => {});
  }

  /**
   * Keeps a lease live while its tunnel is open: extended for its full duration every
   * `everyMs` (default a third of it), so a long tunnel never loses its place under the cap.
   * Returns the function that stops it.
   */
  keepAlive(lease: Lease, everyMs?: number): () => void {
    const seconds = Math.max(1, Math.round((lease.expiresAt - lease.acquiredAt) / 1000));
    const timer = setInterval(
      () => {
        const current = this.live.get(lease.id);
        if (current === undefined) return;
        this.manager.extendLease(current, seconds).then(
          (extended) => {
            if (this.live.has(lease.id)) this.live.set(lease.id, extended);
          },
          () => {},
        );
      },
      everyMs ?? (seconds * 1000) / 3,
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Stops every waiting acquire (they answer shutting_down). */
  stopAcquiring(): void {
    this.closing.abort(new ClientClosedError());
  }

  /** Releases whatever is still out, without an outcome. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.live.values()].map((lease) => this.release(lease)));
  }
}

/** An error's message fit for an outcome: the lease's proxy credentials scrubbed. */
export function failureMessage(lease: Lease, error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return outcomeMessage(text, lease.proxy);
}

/** The headers that say which proxy (and session) answered. */
export function leaseHeaders(lease: Lease): Record<string, string> {
  return {
    'x-leasehold-proxy': lease.proxyId,
    ...(lease.session === undefined ? {} : { 'x-leasehold-session': lease.session.id }),
  };
}
