import { parseInput, poolNameSchema } from '@leasehold/core';
import { errorForScriptCode, luaScripts, ScriptCode } from '@leasehold/core/internal';
import type { ManagerContext } from '../managerContext.js';
import { poolAndProxy } from '../poolInputs.js';
import { proxyIdsAfter } from '../pools/proxies.js';
import { hashFromFlat, proxyHealthFromHash, proxyStateFromHash } from '../replies.js';
import type { ProxyHealth, ProxyState } from '../types.js';

/** Proxies per readProxies call in getAllProxyHealth. */
const HEALTH_PAGE_SIZE = 200;

interface ProxyEntry {
  hash: Record<string, string>;
  score: number;
  /** Server time of the read. */
  now: number;
}

/** Live state of one proxy: status, circuit, streaks, rests, leases. */
export async function getProxyState(
  ctx: ManagerContext,
  pool: string,
  proxyId: string,
): Promise<ProxyState> {
  const entry = await readProxy(ctx, pool, proxyId);
  return proxyStateFromHash(entry.hash, entry.now);
}

/** Health of one proxy: counters, success rate, latency (mean, p50, p95), score 0..1. */
export async function getProxyHealth(
  ctx: ManagerContext,
  pool: string,
  proxyId: string,
): Promise<ProxyHealth> {
  const entry = await readProxy(ctx, pool, proxyId);
  return proxyHealthFromHash(entry.hash, entry.score);
}

/** Health of every proxy of a pool, in insertion order (read in pages). */
export async function getAllProxyHealth(ctx: ManagerContext, pool: string): Promise<ProxyHealth[]> {
  const poolName = parseInput(poolNameSchema, pool, 'pool');
  const out: ProxyHealth[] = [];
  // Walk by insertion order with a score cursor: O(N log N) for the whole pool.
  for (let after = -1; ; ) {
    const page = await proxyIdsAfter(ctx, poolName, after, HEALTH_PAGE_SIZE);
    if (page.length === 0) return out;
    after = (page[page.length - 1] as [string, number])[1];
    const ids = page.map(([id]) => id);
    for (const entry of await readProxies(ctx, poolName, ids)) {
      if (entry !== undefined) out.push(proxyHealthFromHash(entry.hash, entry.score));
    }
  }
}

/** One proxy read by readProxies; ProxyNotFoundError when it is not in the pool. */
async function readProxy(ctx: ManagerContext, pool: string, proxyId: string): Promise<ProxyEntry> {
  const [poolName, id] = poolAndProxy(pool, proxyId);
  const [entry] = await readProxies(ctx, poolName, [id]);
  if (entry === undefined) {
    throw errorForScriptCode(ScriptCode.PROXY_NOT_FOUND, {
      script: 'readProxies',
      pool: poolName,
      proxyId: id,
    });
  }
  return entry;
}

async function readProxies(
  ctx: ManagerContext,
  pool: string,
  ids: readonly string[],
): Promise<(ProxyEntry | undefined)[]> {
  const reply = await ctx.runPoolScript(luaScripts.readProxies, pool, [
    ctx.prefix(pool),
    ctx.reclaimBatchSize,
    ...ids,
  ]);
  const now = Number(reply[1]);
  return (reply[2] as unknown[][]).map((entry) =>
    entry.length === 0 ? undefined : { hash: hashFromFlat(entry[0]), score: Number(entry[1]), now },
  );
}
