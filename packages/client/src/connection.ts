import { Cluster, Redis } from 'ioredis';

/** What ProxyManager accepts: a URL, or a connected ioredis client the caller owns. */
export type RedisConnectionOption = string | Redis | Cluster;

export interface RedisConnection {
  redis: Redis | Cluster;
  /** Only connections we opened are closed by ProxyManager.close(). */
  owned: boolean;
}

export function openRedisConnection(option: RedisConnectionOption): RedisConnection {
  if (typeof option !== 'string') return { redis: option, owned: false };
  // Auto-pipelining batches concurrent calls into one write: many leases, few syscalls.
  return {
    redis: new Redis(option, { enableAutoPipelining: true, maxRetriesPerRequest: 3 }),
    owned: true,
  };
}

/** `count` more connections like `redis` (same server, options and auth). */
export function duplicateConnections(redis: Redis | Cluster, count: number): (Redis | Cluster)[] {
  return Array.from({ length: count }, () => {
    const copy = redis.duplicate();
    // Errors reach callers through their commands' promises, and reconnects are automatic:
    // an 'error' event with no listener would only print "[ioredis] Unhandled error event".
    copy.on('error', () => {});
    return copy;
  });
}

export function isRedisClient(value: unknown): value is Redis | Cluster {
  return value instanceof Redis || value instanceof Cluster;
}
