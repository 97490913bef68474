import {
  luaScripts,
  type PoolSettings,
  type PoolSettingsInput,
  parseInput,
  poolNameSchema,
} from '@leasehold/core';
import { buildHealthIndexes } from '../health/healthIndexes.js';
import type { ManagerContext } from '../managerContext.js';
import { hashFromFlat } from '../replies.js';
import { parsePoolSettings, poolSettingsFromHash } from './poolSettings.js';

/**
 * Create a pool, or change the settings given on an existing one (the others keep their
 * values); returns the merged settings. Turning healthIndexes on builds them in bounded
 * batches before returning.
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
  return { ...(poolSettingsFromHash(name, hash) as PoolSettings), created: reply[0] === 1 };
}

/** Settings of a pool, or null if it does not exist. */
export async function getPool(ctx: ManagerContext, name: string): Promise<PoolSettings | null> {
  const pool = parseInput(poolNameSchema, name, 'pool');
  return poolSettingsFromHash(pool, await ctx.redis.hgetall(ctx.poolKeys(pool).pool));
}

export async function listPools(ctx: ManagerContext): Promise<string[]> {
  return (await ctx.redis.smembers(ctx.keys.pools())).sort();
}
