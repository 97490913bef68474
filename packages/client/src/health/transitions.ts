import { parseInput, poolNameSchema, transitionReasonSchema } from '@leasehold/core';
import { type LuaScript, luaScripts } from '@leasehold/core/internal';
import { z } from 'zod';
import type { FailureDetails, ManagerContext } from '../managerContext.js';
import { poolAndProxy } from '../poolInputs.js';

const TransitionSchema = z.object({
  status: z.enum(['active', 'disabled']),
  reason: transitionReasonSchema,
});

export type Status = 'active' | 'disabled';

/**
 * Operator transition of a proxy: `disabled` takes it out of rotation (and retires its
 * sessions); `active` brings it back with a closed circuit. Returns whether it changed.
 */
export function transitionProxyState(
  ctx: ManagerContext,
  pool: string,
  proxyId: string,
  status: Status,
  reason: string,
): Promise<boolean> {
  const [poolName, id] = poolAndProxy(pool, proxyId);
  return transition(ctx, luaScripts.transitionProxy, poolName, id, status, reason, {
    proxyId: id,
  });
}

/** Clear a proxy's health counters and close its circuit (status and leases are kept). */
export async function resetProxy(
  ctx: ManagerContext,
  pool: string,
  proxyId: string,
  reason: string,
): Promise<void> {
  const [poolName, id] = poolAndProxy(pool, proxyId);
  const t = parseInput(TransitionSchema, { status: 'active', reason });
  await ctx.runPoolScript(luaScripts.resetProxy, poolName, [ctx.prefix(poolName), id, t.reason], {
    proxyId: id,
  });
}

/** Process due cooldowns of a pool now (open → half-open, rests lifted); returns how many. */
export function recoverCooldowns(ctx: ManagerContext, pool: string): Promise<number> {
  return ctx.sweep(parseInput(poolNameSchema, pool, 'pool'), luaScripts.recoverCooldowns);
}

/** transitionProxy / transitionSession: `{ 1, changed }` or a failure code. */
export async function transition(
  ctx: ManagerContext,
  script: LuaScript,
  pool: string,
  id: string,
  status: Status,
  reason: string,
  details: FailureDetails,
): Promise<boolean> {
  const t = parseInput(TransitionSchema, { status, reason });
  const reply = await ctx.runPoolScript(
    script,
    pool,
    [ctx.prefix(pool), id, t.status, t.reason],
    details,
  );
  return reply[1] === 1;
}
