import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { RedisEndpoint } from './options.js';
import { redactConnectionUrl } from './redaction.js';

export type RedisClient = Redis | Cluster;

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

export function openRedis(endpoint: RedisEndpoint, role: ConnectionRole): RedisClient {
  const options = ROLE_OPTIONS[role];
  if (typeof endpoint === 'string') return new Redis(endpoint, options);
  if (endpoint.kind === 'standalone') return new Redis(endpoint.url, options);
  const { enableAutoPipelining, ...redisOptions } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions,
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
  };
  return new Cluster(endpoint.nodes, clusterOptions);
}

/** The endpoint fit for a log line. */
export function describeEndpoint(endpoint: RedisEndpoint): string {
  if (typeof endpoint === 'string') return redactConnectionUrl(endpoint);
  if (endpoint.kind === 'standalone') return redactConnectionUrl(endpoint.url);
  return `cluster ${endpoint.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

/** Quit politely; fall back to disconnect when the connection is already broken. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
