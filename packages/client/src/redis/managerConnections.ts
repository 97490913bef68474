import type { Cluster, Redis } from 'ioredis';
import { createRedisClient } from './connect.js';
import { guardConnection, typedRedisError } from './errors.js';

/** What ProxyManager accepts: a URL, or a connected ioredis client the caller owns. */
export type RedisConnectionOption = string | Redis | Cluster;

export interface RedisConnection {
  redis: Redis | Cluster;
  /** Only connections we opened are closed by ProxyManager.close(). */
  owned: boolean;
}

export function openRedisConnection(option: RedisConnectionOption): RedisConnection {
  if (typeof option !== 'string') return { redis: withTypedErrors(option), owned: false };
  // Auto-pipelining batches concurrent calls into one write: many leases, few syscalls.
  const redis = createRedisClient(option, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
  return { redis: withTypedErrors(redis), owned: true };
}

/** `count` more connections like `redis` (same server, options and auth). */
export function duplicateConnections(redis: Redis | Cluster, count: number): (Redis | Cluster)[] {
  // Errors reach callers through their commands' promises, and reconnects are automatic; the
  // guard keeps 'error' events from printing and a bad database index from being used.
  // Narrowed first: ioredis 6's two duplicate() signatures differ, so the union has none.
  const duplicate = () =>
    redis.isCluster ? (redis as Cluster).duplicate() : (redis as Redis).duplicate();
  return Array.from({ length: count }, () => withTypedErrors(guardConnection(duplicate())));
}

/**
 * `client` whose commands reject with typed errors (typedRedisError) instead of raw ioredis
 * ones, so no caller of any module has to remember to translate. A Proxy, not a subclass:
 * it must work on a client made by the caller's own copy of ioredis.
 */
export function withTypedErrors<C extends Redis | Cluster>(client: C): C {
  const wrappers = new Map<PropertyKey, { method: unknown; wrapper: unknown }>();
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // A connection ended for good (a database Redis lacks) is already closed: quitting it
      // is done, not a failure of whoever closes it.
      if (property === 'quit' && target.status === 'end') return async () => 'OK';
      const cached = wrappers.get(property);
      if (cached?.method === value) return cached.wrapper;
      const wrapper = (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise
          ? result.catch((error: unknown) => {
              throw typedRedisError(error, target);
            })
          : result;
      };
      wrappers.set(property, { method: value, wrapper });
      return wrapper;
    },
  });
}

/**
 * Whether `value` is an ioredis Redis or Cluster client, by its shape: `instanceof` fails for
 * a client made by another copy of ioredis (the user's own, beside ours in node_modules).
 */
export function isRedisClient(value: unknown): value is Redis | Cluster {
  if (typeof value !== 'object' || value === null) return false;
  const client = value as Record<string, unknown>;
  return (
    typeof client.options === 'object' &&
    client.options !== null &&
    typeof client.status === 'string' &&
    typeof client.sendCommand === 'function' &&
    typeof client.call === 'function' &&
    typeof client.duplicate === 'function' &&
    typeof client.on === 'function' &&
    typeof client.isCluster === 'boolean'
  );
}
