// Ready ioredis clients for the harness's targets, opened through @leasehold/client's
// connectRedis (as every package opens them) and closed with its closeRedis.
import { closeRedis, connectRedis } from '@leasehold/client';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { ClusterTarget, RedisClient, RedisTarget, StandaloneTarget } from './redisTarget.js';

const CONNECT_TIMEOUT_MS = 15_000;

/** Quits the client, falling back to disconnect() when the connection is already broken. */
export const closeRedisClient: (client: RedisClient) => Promise<void> = closeRedis;

/**
 * Opens a connection to `target` and resolves once it is ready (for a cluster: slot map
 * loaded and cluster_state ok). `redisOptions` apply to every node connection.
 */
export async function createRedisClient(
  target: StandaloneTarget,
  redisOptions?: RedisOptions,
): Promise<Redis>;
export async function createRedisClient(
  target: ClusterTarget,
  redisOptions?: RedisOptions,
): Promise<Cluster>;
export async function createRedisClient(
  target: RedisTarget,
  redisOptions?: RedisOptions,
): Promise<RedisClient>;
export async function createRedisClient(
  target: RedisTarget,
  redisOptions: RedisOptions = {},
): Promise<RedisClient> {
  return connectRedis(target, { ...redisOptions, readyTimeoutMs: CONNECT_TIMEOUT_MS });
}
