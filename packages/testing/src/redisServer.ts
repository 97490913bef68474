// Starts a private redis-server process on a free port with a throwaway data directory.
// Never touches the shared server on 6379. stop() ends the process by its own pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreeClusterPort, findFreePort } from './freePort.js';
import { type ProbeConnection, probeRedis } from './redisProbe.js';
import { killIfParentDies, trackProcess, untrackProcess } from './trackedProcesses.js';

const HOST = '127.0.0.1';
const DEFAULT_START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const LOG_TAIL_LINES = 40;
// The port can be taken between our check and redis binding it; retry with a new one.
const PORT_RACE_RETRIES = 3;

export interface RedisServerOptions {
  /** Fixed port; by default a free one is picked. */
  port?: number;
  /** Start as a cluster node (the config file lives in the server's temp dir). */
  clusterEnabled?: boolean;
  /** Extra redis-server arguments, e.g. ['--maxmemory', '10mb']. */
  extraArgs?: readonly string[];
  /** How long to wait for PING to answer. Default 10 s. */
  startTimeoutMs?: number;
  /** redis-server binary. Default $REDIS_SERVER_BIN or `redis-server` from PATH. */
  redisServerBin?: string;
  /** Serve TLS only (no plaintext port), with these files (see makeTestCertificates). */
  tls?: RedisTlsFiles;
  /** Credentials the harness logs in with to see the server up (an ACL with default off). */
  auth?: { username: string; password: string };
}

/** PEM files of a TLS server, and the CA's PEM text for clients. */
export interface RedisTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: string;
}

export interface RedisServerHandle {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:<port> (rediss:// with `tls`) */
  readonly url: string;
  readonly pid: number;
  /** The server's private working directory, removed by stop(). */
  readonly dir: string;
  /** SIGTERM, SIGKILL after 3 s, then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

class PortInUseError extends Error {}

/** Keeps the last lines a child wrote, for error messages. */
function collectTail(streams: Array<Readable | null>): () => string {
  const lines: string[] = [];
  for (const stream of streams) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      lines.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
      if (lines.length > LOG_TAIL_LINES) lines.splice(0, lines.length - LOG_TAIL_LINES);
    });
  }
  return () => lines.join('\n');
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function unrefStream(stream: Readable | null): void {
  (stream as unknown as { unref?: () => void } | null)?.unref?.();
}

async function waitForPing(
  port: number,
  child: ChildProcess,
  exited: Promise<void>,
  timeoutMs: number,
  logTail: () => string,
  probe: ProbeConnection,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt made';
  let childGone = false;
  void exited.then(() => {
    childGone = true;
  });
  while (Date.now() < deadline) {
    if (childGone || hasExited(child)) {
      const tail = logTail();
      const message = `redis-server on port ${port} exited early (code ${child.exitCode}, signal ${child.signalCode}).\n${tail}`;
      throw tail.includes('Address already in use')
        ? new PortInUseError(message)
        : new Error(message);
    }
    try {
      if ((await probeRedis(HOST, port, ['PING'], 500, probe)) === 'PONG') return;
      lastError = 'PING did not answer PONG';
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(50);
  }
  throw new Error(
    `redis-server on port ${port} did not answer PING within ${timeoutMs} ms (last error: ${lastError}).\nLog tail:\n${logTail()}`,
  );
}

async function startOnce(options: RedisServerOptions): Promise<RedisServerHandle> {
  const port =
    options.port ?? (options.clusterEnabled ? await findFreeClusterPort() : await findFreePort());
  const dir = await mkdtemp(join(tmpdir(), 'leasehold-redis-'));
  // biome-ignore format: keep flag/value pairs on one line
  const { tls } = options;
  const args = [
    ...(tls
      ? [
          '--port',
          '0',
          '--tls-port',
          String(port),
          '--tls-cert-file',
          tls.certFile,
          '--tls-key-file',
          tls.keyFile,
          '--tls-ca-cert-file',
          tls.caFile,
          '--tls-auth-clients',
          'no',
          '--tls-replication',
          'yes',
        ]
      : ['--port', String(port)]),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    ...(options.clusterEnabled
      ? [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          '5000',
          ...(tls ? ['--tls-cluster', 'yes'] : []),
        ]
      : []),
    ...(options.extraArgs ?? []),
  ];
  const bin = options.redisServerBin ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logTail = collectTail([child.stdout, child.stderr]);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawned = new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid ?? -1));
    child.on('error', (error) => reject(new Error(`could not start ${bin}: ${error.message}`)));
  });

  let pid: number;
  try {
    pid = await spawned;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  trackProcess(pid, dir);
  const dismissWatchdog = killIfParentDies(pid, dir);
  // A forgotten server must not keep the test process alive; the exit hook kills it.
  child.unref();
  unrefStream(child.stdout);
  unrefStream(child.stderr);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      dismissWatchdog();
      if (!hasExited(child)) {
        child.kill('SIGTERM');
        let graceTimer: NodeJS.Timeout | undefined;
        const exitedInTime = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => {
            graceTimer = setTimeout(() => resolve(false), STOP_GRACE_MS);
          }),
        ]);
        clearTimeout(graceTimer);
        if (!exitedInTime) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      untrackProcess(pid);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await waitForPing(
      port,
      child,
      exited,
      options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      logTail,
      probeConnection(options),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: HOST, port, url: `${tls ? 'rediss' : 'redis'}://${HOST}:${port}`, pid, dir, stop };
}

/** How the harness's own probes reach a server started with `options`. */
export function probeConnection(
  options: Pick<RedisServerOptions, 'tls' | 'auth'>,
): ProbeConnection {
  return {
    ...(options.tls ? { tlsCa: options.tls.ca } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
  };
}

/** Starts redis-server and resolves once it answers PING. */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerHandle> {
  const attempts = options.port === undefined ? PORT_RACE_RETRIES : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (!(error instanceof PortInUseError)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}
