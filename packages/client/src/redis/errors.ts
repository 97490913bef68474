import { LeaseholdError, RedisConnectionError, redactCredentials } from '@leasehold/core';
import type { Cluster, Redis } from 'ioredis';

/**
 * Connection-level Redis failures as typed errors. ioredis reports them as ReplyErrors and
 * socket errors that carry the failed command; for AUTH that is the password, so the typed
 * error is built from the reply code and the endpoint only, and keeps no `cause`.
 */

type Client = Redis | Cluster;

/** Set when a connection we opened had to be ended for good (a database index Redis lacks). */
const fatalErrors = new WeakMap<object, RedisConnectionError>();
/** The last socket or TLS error of a connection we opened: why commands cannot reach Redis. */
const lastSocketErrors = new WeakMap<object, string>();

const AUTH_HINT =
  'Check the user name and password (REDIS_URL user:password@, or REDIS_USERNAME / REDIS_PASSWORD) and that the ACL user is on';
const PERMISSION_HINT =
  'Grant the ACL user what README\'s "Least ACL" lists for this part of Leasehold';
const REACH_HINT =
  'Check REDIS_URL / REDIS_CLUSTER_NODES and that Redis is up; for TLS use rediss:// and trust a private CA with NODE_EXTRA_CA_CERTS';

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
// Node's certificate verification failures (X509_V_ERR_* names) and its own TLS errors.
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|[A-Z_]*CERT[A-Z_]*$|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO)/;

const CONNECTION_MESSAGES = [
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
  'None of startup nodes is available',
  'Failed to refresh slots cache.',
  'Cluster is disconnected.',
];

function errorCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

function isSocketError(error: Error): boolean {
  const code = errorCode(error);
  return SOCKET_CODES.has(code) || TLS_CODE.test(code);
}

function isDatabaseError(message: string): boolean {
  return /DB index is out of range|invalid DB index|SELECT is not allowed in cluster mode/i.test(
    message,
  );
}

/** `rediss://***@host:port/db` for a client, from its options (never the password). */
export function describeClient(client: Client | undefined): string {
  if (client === undefined) return 'Redis';
  if (client.isCluster) {
    const options = (client as Cluster).options.redisOptions ?? {};
    const seeds = (client as unknown as { startupNodes?: unknown[] }).startupNodes ?? [];
    const nodes = seeds.flatMap((node) =>
      typeof node === 'object' && node !== null && 'port' in node
        ? [
            {
              host: String((node as { host?: unknown }).host ?? '127.0.0.1'),
              port: Number(node.port),
            },
          ]
        : [],
    );
    return `Redis Cluster ${formatRedisAddress(options.tls !== undefined, options.password, nodes)}`;
  }
  const {
    host = 'localhost',
    port = 6379,
    tls,
    password,
    username,
    db,
  } = (client as Redis).options;
  return formatRedisAddress(tls !== undefined, password ?? username, [{ host, port }], db);
}

/** `rediss://***@host:port,host:port/db`: where Redis is, never who logs in. */
export function formatRedisAddress(
  tls: boolean,
  credentials: string | undefined,
  nodes: readonly { host: string; port: number }[],
  db?: number,
): string {
  const hosts = nodes.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`);
  return `${tls ? 'rediss' : 'redis'}://${credentials ? '***@' : ''}${hosts.join(',')}${db ? `/${db}` : ''}`;
}

/**
 * The typed error for a connection-level failure of `client`: REDIS_AUTH_FAILED (wrong
 * password, user off), REDIS_NO_PERMISSION (the ACL lacks a command, key or channel) or
 * REDIS_CONNECTION_FAILED (unreachable, TLS, a database the server lacks). Anything else (a
 * script's own error) is returned unchanged, for the caller's own handling.
 */
export function typedRedisError(error: unknown, client?: Client): unknown {
  if (error instanceof LeaseholdError || !(error instanceof Error)) return error;
  const fatal = client && fatalErrors.get(client);
  if (fatal) return fatal;
  // A cluster that found no node to talk to says why in its last node's error.
  const nodeError = (error as { lastNodeError?: unknown }).lastNodeError;
  if (error.name === 'ClusterAllFailedError' && nodeError instanceof Error) {
    const typed = typedRedisError(nodeError, client);
    if (typed instanceof RedisConnectionError) return typed;
  }
  const message = error.message;
  const where = describeClient(client);
  if (/^(WRONGPASS|NOAUTH)\b|invalid username-password pair/.test(message))
    return new RedisConnectionError(
      'REDIS_AUTH_FAILED',
      `Redis at ${where} refused the credentials (wrong user name or password, or the user is off)`,
      AUTH_HINT,
    );
  if (/^NOPERM\b/.test(message))
    return new RedisConnectionError(
      'REDIS_NO_PERMISSION',
      `Redis at ${where} denied a command: ${message.replace(/^NOPERM\s*/, '').slice(0, 200)}`,
      PERMISSION_HINT,
    );
  if (isDatabaseError(message)) return databaseError(client, where);
  // Closed on purpose (close() or quit()), not an outage: say so.
  if (
    message === 'Connection is closed.' &&
    client?.status === 'end' &&
    !lastSocketErrors.has(client)
  )
    return new RedisConnectionError(
      'REDIS_CONNECTION_FAILED',
      `The connection to Redis at ${where} is closed`,
      'The ProxyManager (or the client given to it) was closed; open a new one',
    );
  if (
    isSocketError(error) ||
    error.name === 'MaxRetriesPerRequestError' ||
    error.name === 'ClusterAllFailedError' ||
    CONNECTION_MESSAGES.includes(message)
  ) {
    const reason =
      (client && lastSocketErrors.get(client)) ??
      (isSocketError(error) ? safeText(error) : undefined);
    return new RedisConnectionError(
      'REDIS_CONNECTION_FAILED',
      `Cannot reach Redis at ${where}${reason ? `: ${reason}` : ''}`,
      REACH_HINT,
    );
  }
  return error;
}

function databaseError(client: Client | undefined, where: string): RedisConnectionError {
  const db = client && !client.isCluster ? (client as Redis).options.db : undefined;
  return new RedisConnectionError(
    'REDIS_CONNECTION_FAILED',
    `Redis at ${where} has no database ${db ?? '(as asked)'}`,
    'Use a database index below the server\'s "databases" setting (a cluster has only 0)',
  );
}

function safeText(error: Error): string {
  return redactCredentials(error.message).slice(0, 200);
}

/**
 * Watches a connection we opened: its 'error' events are recorded (so later command failures
 * say why) instead of printed as "Unhandled error event", and a database index the server
 * rejects ends the connection for good. ioredis would log that SELECT failure and carry on in
 * database 0, writing a user's pools where they did not ask. A cluster refused by every node
 * (credentials, ACL) is ended too, so its queued commands fail instead of waiting forever.
 */
export function guardConnection<C extends Client>(client: C): C {
  client.on('error', (error: unknown) => {
    if (!(error instanceof Error)) return;
    const typed = typedRedisError(error, client);
    // A standalone connection rejects its commands with the AUTH error and retries; a
    // cluster that cannot log in to any node would hold them forever.
    const clusterLocked =
      client.isCluster &&
      typed instanceof RedisConnectionError &&
      typed.code !== 'REDIS_CONNECTION_FAILED';
    if (isDatabaseError(error.message) || clusterLocked) {
      fatalErrors.set(client, typed as RedisConnectionError);
      client.disconnect();
    } else if (isSocketError(error)) {
      lastSocketErrors.set(client, safeText(error));
    }
  });
  // A cluster's node connections report socket and TLS failures as 'node error'.
  client.on('node error', (error: unknown) => {
    if (error instanceof Error && isSocketError(error))
      lastSocketErrors.set(client, safeText(error));
  });
  client.on('ready', () => lastSocketErrors.delete(client));
  return client;
}
