import {
  extendSecondsSchema,
  leaseIdSchema,
  type Outcome,
  OutcomeSchema,
  parseInput,
  poolNameSchema,
  proxyIdSchema,
} from '@leasehold/core';
import { luaScripts, ScriptCode, secondsToMs } from '@leasehold/core/internal';
import { z } from 'zod';
import type { ManagerContext } from '../managerContext.js';
import { statsFromReply } from '../replies.js';
import type { Lease, ReleaseResult } from '../types.js';
import { outcomeArgs } from './outcomeArgs.js';

const LeaseRefSchema = z.object({
  id: leaseIdSchema,
  pool: poolNameSchema,
  proxyId: proxyIdSchema,
});
/** What identifies a lease: enough to release it or record an outcome on it. */
export type LeaseRef = z.infer<typeof LeaseRefSchema>;

/**
 * Give a lease back, optionally with the outcome of its last request (one round trip).
 * Releasing an unknown, already released or expired lease answers `released: false`.
 */
export async function releaseProxy(
  ctx: ManagerContext,
  lease: Lease | LeaseRef,
  outcome?: Outcome,
): Promise<ReleaseResult> {
  const ref = parseInput(LeaseRefSchema, lease, 'lease');
  const parsedOutcome =
    outcome === undefined ? undefined : parseInput(OutcomeSchema, outcome, 'outcome');
  const wantStats = ctx.releaseListeners.size > 0;
  const reply = await ctx.callPoolScript(luaScripts.releaseLease, ref.pool, [
    ctx.prefix(ref.pool),
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
    ctx.releaseListeners.emit({
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

/** Record the outcome of a request made through a live lease without releasing it. */
export async function recordResult(
  ctx: ManagerContext,
  lease: Lease | LeaseRef,
  outcome: Outcome,
): Promise<void> {
  const ref = parseInput(LeaseRefSchema, lease, 'lease');
  const parsed = parseInput(OutcomeSchema, outcome, 'outcome');
  await ctx.runPoolScript(
    luaScripts.recordResult,
    ref.pool,
    [ctx.prefix(ref.pool), ref.proxyId, ref.id, ...outcomeArgs(parsed, lease)],
    { leaseId: ref.id },
  );
}

/** Renew a live lease: it now expires `seconds` from now (never earlier than before). */
export async function extendLease(
  ctx: ManagerContext,
  lease: Lease,
  seconds: number,
): Promise<Lease> {
  const ref = parseInput(LeaseRefSchema, lease, 'lease');
  const extension = parseInput(extendSecondsSchema, seconds, 'seconds');
  const reply = await ctx.runPoolScript(
    luaScripts.extendLease,
    ref.pool,
    [ref.proxyId, ref.id, secondsToMs(extension)],
    { leaseId: ref.id },
  );
  return { ...lease, expiresAt: Number(reply[1]) };
}

/** Reclaim every expired lease of a pool now; returns how many were reclaimed. */
export function cleanupExpiredLeases(ctx: ManagerContext, pool: string): Promise<number> {
  return ctx.sweep(parseInput(poolNameSchema, pool, 'pool'), luaScripts.reclaimExpired);
}
