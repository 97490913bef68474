import { randomUUID } from 'node:crypto';
import {
  type AcquireOptions,
  AcquireOptionsSchema,
  type ParsedAcquireOptions,
  parseInput,
} from '@leasehold/core';
import { luaScripts, ScriptCode, secondsToMs } from '@leasehold/core/internal';
import type { ManagerContext } from '../managerContext.js';
import { leaseFromReply, statsFromReply } from '../replies.js';
import type { Lease } from '../types.js';
import { compileFilters } from './filters.js';
import { newLeaseId } from './leaseIds.js';
import { releaseProxy } from './release.js';

/** A waiter retries at least this often, in case a pub/sub wake-up was lost to a reconnect. */
const LOST_WAKEUP_GUARD_MS = 1000;

/**
 * Lease one proxy, or null when none is available now (see ProxyManager.acquireProxy). With
 * `waitMs`, waits for capacity: woken by the release that frees it, not by polling.
 */
export async function acquireProxy(
  ctx: ManagerContext,
  options: AcquireOptions,
): Promise<Lease | null> {
  const started = performance.now();
  const opts = parseInput(AcquireOptionsSchema, options, 'options');
  opts.signal?.throwIfAborted();
  const wantStats = ctx.acquireListeners.size > 0;
  const args = acquireArgs(ctx, opts, wantStats);
  const waitMs = opts.waitMs ?? 0;
  let reply: unknown[];
  if (waitMs > 0 && ctx.capacity.hasWaiters(capacityChannel(ctx, opts.pool))) {
    // Others of this process are already waiting: no barging, queue behind them.
    reply = await waitAndAcquire(ctx, opts, args, started + waitMs, true);
  } else {
    reply = await tryAcquire(ctx, opts, args);
    if (reply[0] !== ScriptCode.OK && waitMs > 0) {
      reply = await waitAndAcquire(ctx, opts, args, started + waitMs, false);
    }
  }
  const lease =
    reply[0] === ScriptCode.OK ? leaseFromReply(opts.pool, opts.consumer, opts.scope, reply) : null;
  if (opts.signal?.aborted) {
    // Granted as the caller gave up: nobody would ever release it.
    if (lease) await releaseProxy(ctx, lease);
    opts.signal.throwIfAborted();
  }
  if (wantStats) {
    ctx.acquireListeners.emit({
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

/** ARGV of acquireLease (see its header); the lease id is fresh for every attempt. */
function acquireArgs(
  ctx: ManagerContext,
  opts: ParsedAcquireOptions,
  wantStats: boolean,
): (string | number)[] {
  const session = opts.session;
  const resumeId = session === undefined || session === true ? undefined : session.id;
  return [
    ctx.prefix(opts.pool),
    '',
    opts.consumer,
    opts.durationSeconds === undefined ? '' : secondsToMs(opts.durationSeconds),
    opts.selector ?? '',
    compileFilters(opts.filters),
    ctx.reclaimBatchSize,
    wantStats ? '1' : '0',
    opts.scope ?? '',
    session === undefined ? '' : session === true ? 'new' : 'resume',
    // The id a new session gets ('new' mode only), or the session to resume.
    resumeId ?? (session === true ? randomUUID() : ''),
    '',
  ];
}

function tryAcquire(
  ctx: ManagerContext,
  opts: ParsedAcquireOptions,
  args: (string | number)[],
): Promise<unknown[]> {
  args[1] = newLeaseId();
  args[11] = String(Math.random());
  const session = opts.session;
  return ctx.runPoolScript(luaScripts.acquireLease, opts.pool, args, (reply) => ({
    ...(session === undefined || session === true ? {} : { sessionId: session.id }),
    reason: String(reply[1] ?? ''),
  }));
}

/**
 * When the first rest, reuse delay or cooldown in the way ends (the script's retryInMs), a
 * proxy comes back without anyone releasing: retry then (1 ms later, the server's clock
 * counts whole ms). No hint: wait for a wake-up.
 */
function retryDelayOf(reply: unknown[]): number {
  const retryInMs = Number(reply[2] ?? -1);
  return Number.isFinite(retryInMs) && retryInMs >= 0 ? retryInMs + 1 : Number.POSITIVE_INFINITY;
}

function capacityChannel(ctx: ManagerContext, pool: string): string {
  return `${ctx.prefix(pool)}capacity`;
}

/**
 * Retry an acquire each time capacity appears in the pool (a pub/sub wake-up, see
 * CapacitySignal) until it succeeds or the deadline passes. A slow periodic retry only
 * guards against a wake-up lost to a reconnect. close() wakes every waiter, which then
 * throws ClientClosedError instead of trying again.
 */
async function waitAndAcquire(
  ctx: ManagerContext,
  opts: ParsedAcquireOptions,
  args: (string | number)[],
  deadline: number,
  queueFirst: boolean,
): Promise<unknown[]> {
  // Not after close(): listening would open a subscriber connection that nothing closes.
  ctx.throwIfClosed();
  const channel = capacityChannel(ctx, opts.pool);
  const since = performance.now();
  // In line from now on, even while the subscription is still being set up (on a cluster
  // that can take a while), so a caller arriving meanwhile queues behind instead of barging.
  ctx.capacity.enter(channel);
  try {
    await ctx.capacity.listen(channel);
    if (queueFirst) {
      const first = Math.min(deadline - since, LOST_WAKEUP_GUARD_MS);
      await ctx.capacity.wait(channel, since, first, opts.signal);
    }
    for (;;) {
      ctx.throwIfClosed();
      opts.signal?.throwIfAborted();
      const generation = ctx.capacity.generation(channel);
      const reply = await tryAcquire(ctx, opts, args);
      const remaining = deadline - performance.now();
      if (reply[0] === ScriptCode.OK || remaining <= 0) return reply;
      // A wake-up during the attempt may be for capacity this attempt did not see.
      if (ctx.capacity.generation(channel) !== generation) continue;
      await ctx.capacity.wait(
        channel,
        since,
        Math.min(remaining, LOST_WAKEUP_GUARD_MS, retryDelayOf(reply)),
        opts.signal,
      );
    }
  } finally {
    ctx.capacity.leave(channel);
  }
}
