import {
  type PoolSettings,
  type PoolSettingsInput,
  parseInput,
  poolNameSchema,
} from '@leasehold/core';
import { luaScripts } from '@leasehold/core/internal';
import { z } from 'zod';
import { buildHealthIndexes } from '../health/healthIndexes.js';
import { type ManagerContext, SWEEP_BATCH_SIZE } from '../managerContext.js';
import { hashFromFlat } from '../replies.js';
import { parsePoolSettings, poolSettingsFromHash } from './poolSettings.js';

/**
 * Create a pool, or change the settings given on an existing one (the others keep their
 * values); returns the merged settings. Turning healthIndexes on builds them in bounded
 * batches before returning; so does re-indexing the leased proxies when
 * defaultMaxConcurrency is given.
 */
export async function upsertPool(
  ctx: ManagerContext,
  input: PoolSettingsInput,
): Promise<PoolSettings & { created: boolean }> {
  const { name, given, defaults } = parsePoolSettings(input);
  const reply = await ctx.runPoolScript(
    luaScripts.upsertPool,
    name,
    [name, given.length / 2, ...given, ...defaults],
    // A conflict names the field as the other pool-settings errors do.
    (r) => ({ field: `pool.${String(r[1])}` }),
  );
  // The registry of pool names has no hash tag (it spans pools), so it is written after.
  await ctx.redis.sadd(ctx.keys.pools(), name);
  const hash = hashFromFlat(reply[1]);
  // Also resumes a build that a crashed or closed client left half done.
  if (hash.healthIndexes === 'building') await buildHealthIndexes(ctx, name);
  if (reply[0] !== 1 && given.includes('defaultMaxConcurrency'))
    await walkProxies(ctx, name, luaScripts.refreshCaps);
  // Turned off, the minimum must not keep holding out the proxies it benched.
  if (reply[0] !== 1 && hash.minHealthScore === '0' && given.includes('minHealthScore'))
    await walkProxies(ctx, name, luaScripts.liftBenches);
  return { ...(poolSettingsFromHash(name, hash) as PoolSettings), created: reply[0] === 1 };
}

/** Proxies one walking call looks at: ~8 ms of Redis time (100,000 proxies, 20,000 leased). */
const WALK_BATCH = 500;

/**
 * After a setting changed that existing proxies must follow, walk every proxy of the pool
 * (both indexes), one bounded batch per script call: refreshCaps re-indexes those a changed
 * defaultMaxConcurrency caps (acquire checks the cap as it is now meanwhile, and if the walk
 * is cut short, so no lease is granted past it); liftBenches takes benched proxies off the
 * bench once minHealthScore is 0.
 */
async function walkProxies(
  ctx: ManagerContext,
  pool: string,
  script: typeof luaScripts.refreshCaps | typeof luaScripts.liftBenches,
): Promise<void> {
  for (const index of ['unavailable', 'available']) {
    let cursor = '-inf';
    do {
      ctx.throwIfClosed();
      const reply = await ctx.runPoolScript(script, pool, [
        ctx.prefix(pool),
        index,
        cursor,
        WALK_BATCH,
      ]);
      cursor = String(reply[1]);
    } while (cursor !== '');
  }
}

/** Settings of a pool, or null if it does not exist. */
export async function getPool(ctx: ManagerContext, name: string): Promise<PoolSettings | null> {
  const pool = parseInput(poolNameSchema, name, 'pool');
  return poolSettingsFromHash(pool, await ctx.redis.hgetall(ctx.poolKeys(pool).pool));
}

export async function listPools(ctx: ManagerContext): Promise<string[]> {
  return (await ctx.redis.smembers(ctx.keys.pools())).sort();
}

const DeletePoolOptionsSchema = z
  .object({
    /** Proxies deleted per script call (~13 ms per 500): bounds how long one call holds Redis. */
    batchSize: z.number().int().min(1).max(10_000).default(500),
  })
  .strict();

export type DeletePoolOptions = z.input<typeof DeletePoolOptionsSchema>;

export interface DeletedPool {
  pool: string;
  /** Proxies the pool had. */
  proxies: number;
  /** Script calls it took (each deletes at most batchSize proxies). */
  batches: number;
}

/**
 * Delete a pool and every key of it, in bounded batches (a 100,000-proxy pool never blocks
 * Redis in one call). Refused with PoolBusyError while it has live leases; from the first
 * batch on, the pool answers "not found" to every other call. A delete cut short resumes
 * when called again.
 */
export async function deletePool(
  ctx: ManagerContext,
  name: string,
  options: DeletePoolOptions = {},
): Promise<DeletedPool> {
  const pool = parseInput(poolNameSchema, name, 'pool');
  const { batchSize } = parseInput(DeletePoolOptionsSchema, options, 'options');
  await ctx.sweep(pool, luaScripts.reclaimExpired);
  let proxies = 0;
  let batches = 0;
  for (;;) {
    ctx.throwIfClosed();
    const reply = await ctx.runPoolScript(
      luaScripts.deletePoolBatch,
      pool,
      [ctx.prefix(pool), batchSize, SWEEP_BATCH_SIZE],
      (r) => ({ activeLeases: Number(r[1] ?? 0) }),
    );
    batches += 1;
    proxies += Number(reply[1]);
    if (reply[2] === 1) break;
  }
  await unlinkMatching(ctx, `${globEscape(ctx.prefix(pool))}*`);
  // The registry of pool names has no hash tag (it spans pools), so it goes last.
  await ctx.redis.srem(ctx.keys.pools(), pool);
  return { pool, proxies, batches };
}

/** Scope keys have no registry (they expire by themselves): sweep what is left by SCAN. */
async function unlinkMatching(ctx: ManagerContext, pattern: string): Promise<void> {
  const nodes = 'nodes' in ctx.redis ? ctx.redis.nodes('master') : [ctx.redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      // All of one pool's keys share its hash tag, so one UNLINK may take them together.
      if (keys.length > 0) await node.unlink(...keys);
    } while (cursor !== '0');
  }
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
