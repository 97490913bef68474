// Starts a private Redis Cluster (masters only, no replicas) from redis-server processes on
// free ports, joined with `redis-cli --cluster create`, and waits until every node agrees
// that all 16384 slots are served.
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type ProbeConnection, probeRedis } from './redisProbe.js';
import {
  probeConnection,
  type RedisServerHandle,
  type RedisServerOptions,
  startRedisServer,
} from './redisServer.js';
import type { RedisNodeAddress } from './redisTarget.js';

const execFileAsync = promisify(execFile);

const CLUSTER_SLOTS = 16_384;
const DEFAULT_READY_TIMEOUT_MS = 30_000;
// redis-cli refuses to create a cluster with fewer masters.
const MIN_MASTERS = 3;

export interface RedisClusterOptions {
  /** Number of masters (>= 3). Default 3. */
  masters?: number;
  /** How long to wait for cluster_state:ok on every node. Default 30 s. */
  readyTimeoutMs?: number;
  /** redis-cli binary. Default $REDIS_CLI_BIN or `redis-cli` from PATH. */
  redisCliBin?: string;
  /** TLS, the harness's credentials and extra arguments for every node. */
  server?: Pick<RedisServerOptions, 'tls' | 'auth' | 'extraArgs'>;
}

export interface RedisClusterHandle {
  readonly nodes: RedisNodeAddress[];
  readonly pids: number[];
  /** The node processes, e.g. to stop one master in a failure test. */
  readonly servers: RedisServerHandle[];
  /** Stops every node. Safe to call twice. */
  stop(): Promise<void>;
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const separator = line.indexOf(':');
    if (separator > 0) fields.set(line.slice(0, separator), line.slice(separator + 1).trim());
  }
  return fields;
}

/** Why `node` is not ready yet, or undefined once it serves a complete cluster of `masters`. */
async function nodeNotReadyReason(
  node: RedisNodeAddress,
  masters: number,
  probe: ProbeConnection,
): Promise<string | undefined> {
  let info: Map<string, string>;
  try {
    info = parseInfo(await probeRedis(node.host, node.port, ['CLUSTER', 'INFO'], 1_000, probe));
  } catch (error) {
    return (error as Error).message;
  }
  const expected: Record<string, string> = {
    cluster_state: 'ok',
    cluster_slots_assigned: String(CLUSTER_SLOTS),
    cluster_slots_ok: String(CLUSTER_SLOTS),
    // Every node must know every other one, so clients get the same slot map from any node.
    cluster_known_nodes: String(masters),
    cluster_size: String(masters),
  };
  const wrong = Object.entries(expected)
    .filter(([field, value]) => info.get(field) !== value)
    .map(([field, value]) => `${field}=${info.get(field) ?? '?'} (want ${value})`);
  return wrong.length === 0 ? undefined : wrong.join(', ');
}

async function waitForClusterReady(
  nodes: RedisNodeAddress[],
  timeoutMs: number,
  probe: ProbeConnection,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let reasons: string[] = [];
  while (Date.now() < deadline) {
    const results = await Promise.all(
      nodes.map((node) => nodeNotReadyReason(node, nodes.length, probe)),
    );
    reasons = results.flatMap((reason, index) =>
      reason === undefined ? [] : [`${nodes[index]?.host}:${nodes[index]?.port}: ${reason}`],
    );
    if (reasons.length === 0) return;
    await sleep(100);
  }
  throw new Error(
    `Redis Cluster did not reach cluster_state:ok within ${timeoutMs} ms:\n${reasons.join('\n')}`,
  );
}

async function joinCluster(
  nodes: RedisNodeAddress[],
  redisCliBin: string,
  server: RedisClusterOptions['server'] = {},
): Promise<void> {
  const args = [
    ...(server.tls ? ['--tls', '--cacert', server.tls.caFile] : []),
    ...(server.auth
      ? ['--user', server.auth.username, '--pass', server.auth.password, '--no-auth-warning']
      : []),
    '--cluster',
    'create',
    ...nodes.map((node) => `${node.host}:${node.port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ];
  try {
    await execFileAsync(redisCliBin, args, { timeout: 30_000 });
  } catch (error) {
    const { stdout, stderr, message } = error as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `${redisCliBin} ${args.map((a) => (a === server.auth?.password ? '***' : a)).join(' ')} failed: ${message}\nstdout:\n${stdout ?? ''}\nstderr:\n${stderr ?? ''}`,
    );
  }
}

/** Starts `masters` cluster-enabled servers, joins them and waits until the cluster is ok. */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<RedisClusterHandle> {
  const masters = options.masters ?? MIN_MASTERS;
  if (!Number.isInteger(masters) || masters < MIN_MASTERS) {
    throw new Error(
      `startRedisCluster: masters must be an integer >= ${MIN_MASTERS}, got ${masters}`,
    );
  }
  const started = await Promise.allSettled(
    Array.from({ length: masters }, () =>
      startRedisServer({ ...options.server, clusterEnabled: true }),
    ),
  );
  const servers = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
  };

  try {
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    const nodes = servers.map(({ host, port }) => ({ host, port }));
    const cli = options.redisCliBin ?? process.env.REDIS_CLI_BIN ?? 'redis-cli';
    await joinCluster(nodes, cli, options.server);
    await waitForClusterReady(
      nodes,
      options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      probeConnection(options.server ?? {}),
    );
    return { nodes, pids: servers.map((server) => server.pid), servers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
