// The kinds of Redis a suite runs against, where to find them (env overrides), and how to
// open a ready ioredis client for each. Targets are plain JSON so they can cross processes.
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisTargetKind = 'standalone' | 'cluster';

export interface RedisNodeAddress {
  host: string;
  port: number;
}

export interface StandaloneTarget {
  kind: 'standalone';
  url: string;
}

export interface ClusterTarget {
  kind: 'cluster';
  nodes: RedisNodeAddress[];
}

export type RedisTarget = StandaloneTarget | ClusterTarget;

/** What createRedisClient returns: both close with `.quit()`. */
export type RedisClient = Redis | Cluster;

/** Standalone tests use this server instead of starting one. */
export const REDIS_URL_ENV = 'REDIS_URL';
/** Cluster tests use these nodes ("host:port,host:port") instead of starting a cluster. */
export const REDIS_CLUSTER_NODES_ENV = 'REDIS_CLUSTER_NODES';
/** Set to 1 to allow the env vars above to point at localhost:6379 (e.g. a CI service). */
export const ALLOW_PORT_6379_ENV = 'LEASEHOLD_TEST_ALLOW_6379';

const CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_REDIS_PORT = 6379;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

// On developer machines localhost:6379 is usually a shared server that tests must not touch.
function refuseSharedLocalRedis(
  host: string,
  port: number,
  source: string,
  env: NodeJS.ProcessEnv,
): void {
  if (
    port !== DEFAULT_REDIS_PORT ||
    !LOOPBACK_HOSTS.has(host) ||
    env[ALLOW_PORT_6379_ENV] === '1'
  ) {
    return;
  }
  throw new Error(
    `${source} points at ${host}:${port}, which is usually a shared Redis. Unset it to let the ` +
      `harness start private servers, or set ${ALLOW_PORT_6379_ENV}=1 if it really is a throwaway server.`,
  );
}

/** Parses "host:port,host:port" (spaces allowed). */
export function parseNodeList(list: string): RedisNodeAddress[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const separator = entry.lastIndexOf(':');
      const host = entry.slice(0, separator);
      const port = Number(entry.slice(separator + 1));
      if (separator <= 0 || !Number.isInteger(port) || port <= 0) {
        throw new Error(`invalid Redis node "${entry}", expected host:port`);
      }
      return { host, port };
    });
}

/** The standalone target from $REDIS_URL, or undefined when unset. */
export function standaloneTargetFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): StandaloneTarget | undefined {
  const url = env[REDIS_URL_ENV]?.trim();
  if (!url) return undefined;
  const parsed = new URL(url);
  refuseSharedLocalRedis(
    parsed.hostname,
    Number(parsed.port || DEFAULT_REDIS_PORT),
    REDIS_URL_ENV,
    env,
  );
  return { kind: 'standalone', url };
}

/** The cluster target from $REDIS_CLUSTER_NODES, or undefined when unset. */
export function clusterTargetFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ClusterTarget | undefined {
  const list = env[REDIS_CLUSTER_NODES_ENV]?.trim();
  if (!list) return undefined;
  const nodes = parseNodeList(list);
  for (const node of nodes)
    refuseSharedLocalRedis(node.host, node.port, REDIS_CLUSTER_NODES_ENV, env);
  return { kind: 'cluster', nodes };
}

/** Short human-readable form, for test names and error messages. */
export function describeTarget(target: RedisTarget): string {
  return target.kind === 'standalone'
    ? `standalone ${target.url}`
    : `cluster ${target.nodes.map((node) => `${node.host}:${node.port}`).join(',')}`;
}

/** Quits the client, falling back to disconnect() when the connection is already broken. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

async function connectWithin(client: RedisClient, target: RedisTarget): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`not ready within ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } catch (error) {
    // Stop ioredis from reconnecting in the background after we gave up.
    client.disconnect();
    throw new Error(`could not connect to ${describeTarget(target)}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

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
  const client =
    target.kind === 'standalone'
      ? new Redis(target.url, { ...redisOptions, lazyConnect: true })
      : new Cluster(target.nodes, { redisOptions, enableReadyCheck: true, lazyConnect: true });
  await connectWithin(client, target);
  return client;
}
