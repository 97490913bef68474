// The kinds of Redis a suite runs against and where to find them (env overrides). Targets
// are plain JSON so they can cross processes; redisClients.ts opens clients for them.
import { redisEndpointFromEnv } from '@leasehold/client';
import type { Cluster, Redis } from 'ioredis';

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
  // Parsed as every Leasehold package parses it (the client's redisEndpointFromEnv).
  const endpoint = redisEndpointFromEnv({ REDIS_CLUSTER_NODES: list });
  const nodes = endpoint.kind === 'cluster' ? endpoint.nodes : [];
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
