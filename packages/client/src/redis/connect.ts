import { parseInput, RedisConnectionError } from '@leasehold/core';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import {
  defined,
  type RedisEndpoint,
  redisEndpointSchema,
  redisOptionsFromUrl,
} from './endpoint.js';
import { describeClient, guardConnection, typedRedisError } from './errors.js';

/**
 * The one way every Leasehold package opens and closes a Redis connection: the client, the
 * worker, the CLI, the dashboard, the demo and the test harness all come through here, so
 * TLS, ACL users, cluster credentials, typed errors and credential masking work alike.
 */

export type RedisClient = Redis | Cluster;

/**
 * A new ioredis client for `endpoint`, with `options` (retries, names, pipelining, TLS
 * details such as a `ca`) on every connection. It connects in the background as ioredis
 * does (unless `lazyConnect`), never prints "Unhandled error event", and a database index the
 * server does not have ends the connection instead of quietly using database 0.
 */
export function createRedisClient(
  given: string | RedisEndpoint,
  options: RedisOptions = {},
): RedisClient {
  const endpoint = parseInput(redisEndpointSchema, given, 'redis') as string | RedisEndpoint;
  if (typeof endpoint === 'string' || endpoint.kind === 'standalone') {
    const url = typeof endpoint === 'string' ? endpoint : endpoint.url;
    const fromUrl = redisOptionsFromUrl(url);
    // TLS options given in code (a `ca`, say; on ioredis 6 also a profile name) refine
    // what the rediss:// scheme turns on.
    const tls = fromUrl.tls ? { tls: options.tls ?? {} } : {};
    return guardConnection(new Redis({ ...options, ...fromUrl, ...tls }));
  }
  // These are the cluster's own options; the rest apply to each node's connection.
  const { enableAutoPipelining, lazyConnect, ...redisOptions } = options;
  const clusterOptions: ClusterOptions = {
    ...defined({ enableAutoPipelining, lazyConnect }),
    redisOptions: {
      ...redisOptions,
      ...defined({ username: endpoint.username, password: endpoint.password }),
      ...(endpoint.tls ? { tls: redisOptions.tls ?? {} } : {}),
    },
  };
  return guardConnection(new Cluster(endpoint.nodes, clusterOptions));
}

export interface ConnectRedisOptions extends RedisOptions {
  /** Give up (and close the client) when it is not ready by then. Default 10,000 ms. */
  readyTimeoutMs?: number;
}

const READY_TIMEOUT_MS = z.int().min(1).max(600_000).default(10_000);

const REACH_HINT =
  'Check REDIS_URL / REDIS_CLUSTER_NODES and that Redis is up; for TLS use rediss:// and trust a private CA with NODE_EXTRA_CA_CERTS';

/**
 * createRedisClient, resolved once the client is ready (a cluster: slots loaded). A client
 * that is not, within `readyTimeoutMs` or because Redis refused it, is closed and the
 * failure is a typed RedisConnectionError naming the endpoint without its password.
 */
export async function connectRedis(
  endpoint: string | RedisEndpoint,
  options: ConnectRedisOptions = {},
): Promise<RedisClient> {
  const { readyTimeoutMs: given, ...redisOptions } = options;
  const readyTimeoutMs = parseInput(READY_TIMEOUT_MS, given, 'readyTimeoutMs');
  const client = createRedisClient(endpoint, { ...redisOptions, lazyConnect: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('not ready')), readyTimeoutMs);
  });
  try {
    await Promise.race([client.connect(), timeout]);
    return client;
  } catch (error) {
    const typed = typedRedisError(error, client);
    // Stop ioredis from reconnecting in the background after we gave up.
    client.disconnect();
    if (typed instanceof RedisConnectionError) throw typed;
    throw new RedisConnectionError(
      'REDIS_CONNECTION_FAILED',
      `Redis at ${describeClient(client)} was not ready within ${readyTimeoutMs} ms`,
      REACH_HINT,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Quit politely; disconnect when the connection is already broken. A live connection is
 * waited for until it has ended (ioredis 6 answers QUIT before the socket is closed); one
 * between reconnects has no socket to wait for (ioredis 5 then emits no 'end'). Never throws.
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready' && client.status !== 'connect') {
    client.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  await client.quit().catch(() => client.disconnect());
  await ended;
}
