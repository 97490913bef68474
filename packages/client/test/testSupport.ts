// Helpers shared by the client test files (not part of the published package).
import { type RedisClient, scanKeys, type TargetContext } from '@leasehold/testing';
import { expect, vi } from 'vitest';
import { ProxyManager } from '../src/proxyManager.js';

export interface ManagerFixture {
  manager: ProxyManager;
  prefix: string;
  pool: string;
}

/** A ProxyManager on the suite's shared connection, with a fresh prefix and a created pool. */
export async function freshPool(
  ctx: TargetContext,
  settings: Record<string, unknown> = {},
  client: RedisClient = ctx.redis(),
): Promise<ManagerFixture> {
  const prefix = ctx.uniquePrefix();
  const manager = new ProxyManager({ redis: client, prefix });
  const pool = 'p1';
  await manager.upsertPool({ name: pool, ...settings });
  return { manager, prefix, pool };
}

/** `n` proxy URLs on documentation addresses. */
export function proxyUrls(n: number, start = 0): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      `http://u${start + i}:pw@10.${((start + i) >> 16) & 255}.${((start + i) >> 8) & 255}.${(start + i) & 255}:8080`,
  );
}

/** Every key under a prefix with its full content, to prove that a call wrote nothing. */
export async function snapshotKeys(
  redis: RedisClient,
  prefix: string,
): Promise<Record<string, unknown>> {
  const keys = (await scanKeys(redis, `${prefix}:*`)).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'hash') out[key] = await redis.hgetall(key);
    else if (type === 'zset') out[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
    else if (type === 'string') out[key] = await redis.get(key);
    else out[key] = type;
  }
  return out;
}

/** A ProxyManager on a connection of its own, named so `waitForAttempt` can see its commands. */
export async function namedManager(
  ctx: TargetContext,
  label: string,
  prefix: string,
): Promise<{ name: string; manager: ProxyManager }> {
  const name = `${label}-${prefix}`;
  const redis = await ctx.newClient({ connectionName: name });
  return { name, manager: new ProxyManager({ redis, prefix }) };
}

/**
 * Resolves once the named connection's last command is an acquire attempt (FCALL): from then
 * on its caller waits for a wake-up. An event to wait for instead of a guessed sleep; a
 * wake-up arriving between that attempt and its wait is not lost (CapacitySignal counts
 * generations).
 */
export async function waitForAttempt(ctx: TargetContext, name: string): Promise<void> {
  const client = ctx.redis();
  const nodes = 'nodes' in client ? client.nodes('master') : [client];
  const attempt = new RegExp(`name=${name} [^\\n]*cmd=fcall`);
  await vi.waitFor(
    async () => {
      const lists = await Promise.all(nodes.map((n) => n.client('LIST') as Promise<string>));
      expect(lists.join('\n')).toMatch(attempt);
    },
    { timeout: 5_000, interval: 10 },
  );
}
