import {
  closeRedis,
  createRedisClient,
  type RedisClient,
  typedRedisError,
} from '@leasehold/client';
import type { RedisOptions } from 'ioredis';
import type { RedisEndpoint } from './options.js';

export type { RedisClient };

/**
 * Why two kinds of connection: BullMQ's must retry forever (`maxRetriesPerRequest: null`)
 * so a Redis restart pauses the worker instead of failing its blocking reads; the command
 * connection (sweeps, stream reads, metrics, health) keeps ioredis' bounded retries so a
 * scrape or a health check during an outage answers with an error instead of hanging.
 */
export type ConnectionRole = 'commands' | 'bullmq';

const ROLE_OPTIONS: Record<ConnectionRole, RedisOptions> = {
  // Auto-pipelining batches concurrent per-pool calls into one write.
  commands: { enableAutoPipelining: true, connectionName: 'leasehold-worker' },
  bullmq: { maxRetriesPerRequest: null, connectionName: 'leasehold-worker-bullmq' },
};

/** A connection opened like the client opens its own: TLS, ACL user, cluster credentials. */
export function openRedis(endpoint: RedisEndpoint, role: ConnectionRole): RedisClient {
  return createRedisClient(endpoint, ROLE_OPTIONS[role]);
}

/**
 * Resolves once `client` answers; rejects with a typed error when it never will (wrong
 * password, a user without permission, a database the server lacks). While Redis is merely
 * down it keeps waiting, as BullMQ's connection does.
 */
export async function checkRedis(client: RedisClient): Promise<void> {
  try {
    await client.ping();
  } catch (error) {
    throw typedRedisError(error, client);
  }
}

/** Closing is the client's own (quit, or disconnect when already broken). */
export { closeRedis };
