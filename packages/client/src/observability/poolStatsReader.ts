import { parseInput, poolNameSchema, ValidationError } from '@leasehold/core';
import { errorForScriptCode, type KeySchema, luaScripts } from '@leasehold/core/internal';
import type { Cluster, Redis } from 'ioredis';
import { isRedisClient, withTypedErrors } from '../redis/managerConnections.js';
import { statsFromReply } from '../replies.js';
import { ScriptRunner } from '../scriptRunner.js';
import type { PoolStats } from '../types.js';

/**
 * Pool stats for observers that must not change what they observe: a /metrics scrape, a
 * dashboard refresh. ProxyManager.getPoolStats reclaims due expiries and cooldowns before
 * counting (a write); this runs the read-only readPoolStats script instead, so scraping
 * every second from several replicas never writes to Redis. The price: a lease past its
 * deadline that nobody has reclaimed yet may still count its proxy as leased (never in
 * totalLeases) until the next acquire or the worker's lease-expiry job, within a second.
 */
export class PoolStatsReader {
  private readonly scripts: ScriptRunner;

  /** `redis` is the caller's connection (left open); `keys` the pools' key schema. */
  constructor(
    redis: Redis | Cluster,
    private readonly keys: KeySchema,
  ) {
    if (!isRedisClient(redis))
      throw new ValidationError([
        { field: 'redis', message: 'must be an ioredis Redis or Cluster instance' },
      ]);
    // Connection failures reach the caller as typed errors, as from ProxyManager.
    this.scripts = new ScriptRunner([withTypedErrors(redis)]);
  }

  async read(pool: string): Promise<PoolStats> {
    const poolName = parseInput(poolNameSchema, pool, 'pool');
    const reply = await this.scripts.run(luaScripts.readPoolStats, this.keys.poolKeys(poolName), [
      this.keys.poolPrefix(poolName),
    ]);
    const code = Number(reply[0]);
    if (code < 0) throw errorForScriptCode(code, { script: 'readPoolStats', pool: poolName });
    return statsFromReply(reply[1]) as PoolStats;
  }
}
