import { errorForScriptCode, luaScripts, ScriptCode } from '@leasehold/core/internal';
import { type Status, transition } from '../health/transitions.js';
import type { ManagerContext } from '../managerContext.js';
import { poolAndSession } from '../poolInputs.js';
import { sessionStateFromHash } from '../replies.js';
import type { SessionState } from '../types.js';

export async function getSessionState(
  ctx: ManagerContext,
  pool: string,
  sessionId: string,
): Promise<SessionState> {
  const [poolName, id] = poolAndSession(pool, sessionId);
  const hash = await ctx.redis.hgetall(ctx.keys.session(poolName, id));
  if (hash.id === undefined)
    throw errorForScriptCode(ScriptCode.SESSION_NOT_FOUND, {
      script: 'getSession',
      pool: poolName,
      sessionId: id,
    });
  return sessionStateFromHash(hash);
}

/** Operator transition of a session. Re-enabling needs its proxy active. */
export function transitionSessionState(
  ctx: ManagerContext,
  pool: string,
  sessionId: string,
  status: Status,
  reason: string,
): Promise<boolean> {
  const [poolName, id] = poolAndSession(pool, sessionId);
  return transition(ctx, luaScripts.transitionSession, poolName, id, status, reason, {
    sessionId: id,
  });
}
