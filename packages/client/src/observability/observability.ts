import {
  type ErrorLogQuery,
  ErrorLogQuerySchema,
  parseInput,
  poolNameSchema,
} from '@leasehold/core';
import { errorForScriptCode, luaScripts, ScriptCode } from '@leasehold/core/internal';
import { type ManagerContext, SWEEP_BATCH_SIZE } from '../managerContext.js';
import { errorLogEntryFromStream, poolCountersFromHash, statsFromReply } from '../replies.js';
import type { ErrorLogEntry, PoolCounters, PoolStats } from '../types.js';

/** Stream entries per XREVRANGE when reading the error log. */
const LOG_PAGE_SIZE = 500;

export async function getPoolStats(ctx: ManagerContext, pool: string): Promise<PoolStats> {
  const poolName = parseInput(poolNameSchema, pool, 'pool');
  const reply = await ctx.runPoolScript(luaScripts.getPoolStats, poolName, [
    ctx.prefix(poolName),
    SWEEP_BATCH_SIZE,
  ]);
  return statsFromReply(reply[1]) as PoolStats;
}

/** Pool-wide monotonic totals (selections, outcomes, latency histogram, opens, expiries). */
export async function getPoolCounters(ctx: ManagerContext, pool: string): Promise<PoolCounters> {
  const poolName = parseInput(poolNameSchema, pool, 'pool');
  const hash = await ctx.redis.hgetall(ctx.poolKeys(poolName).pool);
  if (hash.leaseMs === undefined)
    throw errorForScriptCode(ScriptCode.POOL_NOT_FOUND, {
      script: 'getPoolCounters',
      pool: poolName,
    });
  return poolCountersFromHash(hash);
}

/**
 * The pool's error log, newest first: failures, transitions (circuit and status changes,
 * session retirements) and expired leases, optionally for one proxy or session.
 */
export async function getErrorLog(
  ctx: ManagerContext,
  pool: string,
  query: ErrorLogQuery = {},
): Promise<ErrorLogEntry[]> {
  const poolName = parseInput(poolNameSchema, pool, 'pool');
  const q = parseInput(ErrorLogQuerySchema, query, 'query');
  const key = ctx.poolKeys(poolName).errorLog;
  const out: ErrorLogEntry[] = [];
  let end = '+';
  for (;;) {
    const page = (await ctx.redis.xrevrange(key, end, '-', 'COUNT', LOG_PAGE_SIZE)) as [
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
