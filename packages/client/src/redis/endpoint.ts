import { ValidationError } from '@leasehold/core';
import type { RedisOptions } from 'ioredis';
import { z } from 'zod';
import { formatRedisAddress } from './errors.js';

/**
 * Where Redis is, in the one shape the client, the worker, the CLI and the dashboard all take,
 * and the one place that turns a URL or the environment into ioredis options. A standalone
 * server is a URL (`rediss://user:password@host:port/db` says everything); a cluster is its
 * seed nodes plus the credentials and TLS every node shares.
 *
 * TLS uses Node's defaults: the server certificate is verified against the host name, and a
 * private CA is trusted through NODE_EXTRA_CA_CERTS.
 */
export type RedisEndpoint =
  | { kind: 'standalone'; url: string }
  | {
      kind: 'cluster';
      nodes: RedisNode[];
      username?: string | undefined;
      password?: string | undefined;
      tls?: boolean | undefined;
    };

export interface RedisNode {
  host: string;
  port: number;
}

/** The variables `redisEndpointFromEnv` reads. */
export interface RedisEnv {
  /** `redis://` or `rediss://`, with `user:password@` and a `/db` index if needed. */
  REDIS_URL?: string | undefined;
  /** `host:port,host:port` (entries may carry `rediss://` and `user:password@`); wins over REDIS_URL. */
  REDIS_CLUSTER_NODES?: string | undefined;
  /** ACL user name when the URL or node list does not carry one. */
  REDIS_USERNAME?: string | undefined;
  /** Password when the URL or node list does not carry one. */
  REDIS_PASSWORD?: string | undefined;
  /** `true` turns TLS on for `redis://` URLs and bare cluster nodes. */
  REDIS_TLS?: string | undefined;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const MAX_URL_LENGTH = 4096;
const MAX_DB_INDEX = 2_147_483_647;

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(
    [{ field, message }],
    'Use redis://[user:password@]host:port[/db] or rediss:// for TLS; percent-encode special characters in the password',
  );
}

interface ParsedRedisUrl {
  tls: boolean;
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  db: number | undefined;
  /** ioredis options given as query parameters (`?connectionName=x&family=6`), as ioredis reads them. */
  query: Record<string, string | number>;
}

// Query parameters that would say again, differently, what the URL itself says.
const RESERVED_QUERY = new Set(['host', 'port', 'path', 'username', 'password', 'tls', 'db']);

// Messages name what is wrong, never the value: a URL may hold a password.
function parseRedisUrl(url: string, field: string, allowPath: boolean): ParsedRedisUrl {
  if (url.length > MAX_URL_LENGTH)
    throw invalid(field, `must be at most ${MAX_URL_LENGTH} characters`);
  // A lone UTF-16 surrogate: not text any server or parser agrees on.
  if (/\p{Cs}/u.test(url)) throw invalid(field, 'must be a well-formed string');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(field, 'must be a redis:// or rediss:// URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw invalid(field, 'must be a redis:// or rediss:// URL');
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalid(field, 'must name a host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  if (port < 1) throw invalid(field, 'port must be from 1 to 65535');
  if (parsed.hash !== '') throw invalid(field, 'must not have a fragment');
  const query: Record<string, string | number> = {};
  for (const [key, value] of parsed.searchParams) {
    if (RESERVED_QUERY.has(key))
      throw invalid(field, `query parameter ${key} is not supported: say it in the URL itself`);
    query[key] = key === 'family' && /^\d+$/.test(value) ? Number(value) : value;
  }
  let db: number | undefined;
  if (parsed.pathname !== '' && parsed.pathname !== '/') {
    const index = /^\/(\d{1,10})$/.exec(parsed.pathname)?.[1];
    if (!allowPath || index === undefined || Number(index) > MAX_DB_INDEX)
      throw invalid(
        field,
        allowPath ? 'path must be a database index, like /0' : 'a cluster has no database index',
      );
    db = Number(index);
  }
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
    password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  } catch {
    throw invalid(field, 'user name or password has a malformed percent-escape');
  }
  return { tls: parsed.protocol === 'rediss:', host, port, username, password, db, query };
}

/** `value` without its undefined properties (ioredis reads a present `undefined` as set). */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** ioredis options for a `redis://` or `rediss://` URL; a ValidationError naming `field` if bad. */
export function redisOptionsFromUrl(url: string, field = 'redis'): RedisOptions {
  const { tls, host, port, username, password, db, query } = parseRedisUrl(url, field, true);
  return {
    ...query,
    ...defined({ host, port, username, password, db, tls: tls ? {} : undefined }),
  };
}

const blankAsUnset = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value;

function parseTlsFlag(value: string | undefined): boolean | undefined {
  const text = blankAsUnset(value)?.trim().toLowerCase();
  if (text === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw invalid('REDIS_TLS', 'must be true or false');
}

/**
 * The endpoint the environment describes (see RedisEnv). Credentials in the URL or node list
 * win; REDIS_USERNAME / REDIS_PASSWORD fill in what they leave out, so a secret can live in
 * its own variable. A ValidationError names the variable at fault, never its value.
 */
export function redisEndpointFromEnv(env: RedisEnv): RedisEndpoint {
  const tlsFlag = parseTlsFlag(env.REDIS_TLS);
  const envUsername = blankAsUnset(env.REDIS_USERNAME);
  const envPassword = blankAsUnset(env.REDIS_PASSWORD);
  const nodeList = blankAsUnset(env.REDIS_CLUSTER_NODES);
  if (nodeList !== undefined)
    return clusterFromNodeList(nodeList, tlsFlag, envUsername, envPassword);

  const given = blankAsUnset(env.REDIS_URL) ?? DEFAULT_REDIS_URL;
  const parsed = parseRedisUrl(given, 'REDIS_URL', true);
  if (tlsFlag === false && parsed.tls)
    throw invalid('REDIS_TLS', 'is false but REDIS_URL is rediss://');
  const username = parsed.username ?? envUsername;
  const password = parsed.password ?? envPassword;
  const tls = parsed.tls || tlsFlag === true;
  if (username === parsed.username && password === parsed.password && tls === parsed.tls)
    return { kind: 'standalone', url: given };
  // The environment adds credentials or TLS: one URL still says everything.
  const url = new URL(`${tls ? 'rediss' : 'redis'}://placeholder`);
  url.hostname = parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host;
  url.port = String(parsed.port);
  url.pathname = parsed.db === undefined ? '' : `/${parsed.db}`;
  if (username !== undefined) url.username = encodeURIComponent(username);
  if (password !== undefined) url.password = encodeURIComponent(password);
  for (const [key, value] of Object.entries(parsed.query)) url.searchParams.set(key, String(value));
  return { kind: 'standalone', url: url.href };
}

function clusterFromNodeList(
  list: string,
  tlsFlag: boolean | undefined,
  envUsername: string | undefined,
  envPassword: string | undefined,
): RedisEndpoint {
  const field = 'REDIS_CLUSTER_NODES';
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0 || entries.length > 1000)
    throw invalid(field, 'must be host:port[,host:port...] (1 to 1000 nodes)');
  if (entries.some((entry) => !/:\d+\/?$/.test(entry)))
    throw invalid(field, 'every node needs its port: host:port[,host:port...]');
  const parsed = entries.map((entry) =>
    parseRedisUrl(/^[a-z]+:\/\//i.test(entry) ? entry : `redis://${entry}`, field, false),
  );
  if (parsed.some((node) => Object.keys(node.query).length > 0))
    throw invalid(field, 'nodes take no query parameters');
  const agreed = (values: (string | boolean | undefined)[], what: string) => {
    const distinct = new Set(values.filter((v) => v !== undefined));
    if (distinct.size > 1) throw invalid(field, `nodes must share one ${what}`);
    return [...distinct][0];
  };
  const username = agreed(
    parsed.map((n) => n.username),
    'user name',
  ) as string | undefined;
  const password = agreed(
    parsed.map((n) => n.password),
    'password',
  ) as string | undefined;
  const schemeTls = parsed.some((n) => n.tls);
  if (schemeTls && parsed.some((n) => !n.tls) && tlsFlag !== true)
    throw invalid(field, 'nodes must all be rediss:// or all redis://');
  if (schemeTls && tlsFlag === false)
    throw invalid('REDIS_TLS', 'is false but a node is rediss://');
  return {
    kind: 'cluster',
    nodes: parsed.map(({ host, port }) => ({ host, port })),
    ...defined({ username: username ?? envUsername, password: password ?? envPassword }),
    ...(schemeTls || tlsFlag === true ? { tls: true } : {}),
  };
}

const redisUrlSchema = z.string().superRefine((url, ctx) => {
  try {
    parseRedisUrl(url, 'redis', true);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message:
        error instanceof ValidationError ? (error.issues[0]?.message ?? 'invalid') : 'invalid',
    });
  }
});

/** zod schema of a RedisEndpoint (or a bare URL), for packages that take one as an option. */
export const redisEndpointSchema = z.union([
  redisUrlSchema,
  z.object({ kind: z.literal('standalone'), url: redisUrlSchema }).strict(),
  z
    .object({
      kind: z.literal('cluster'),
      nodes: z
        .array(z.object({ host: z.string().min(1).max(255), port: z.int().min(1).max(65_535) }))
        .min(1, 'must list at least one node')
        .max(1000),
      username: z.string().min(1).max(256).optional(),
      password: z.string().min(1).max(4096).optional(),
      tls: z.boolean().optional(),
    })
    .strict(),
]);

/** The endpoint fit for a log line or an error message: credentials masked. */
export function describeRedisEndpoint(endpoint: string | RedisEndpoint): string {
  if (typeof endpoint === 'string' || endpoint.kind === 'standalone') {
    const url = typeof endpoint === 'string' ? endpoint : endpoint.url;
    try {
      const p = parseRedisUrl(url, 'redis', true);
      return formatRedisAddress(p.tls, p.username ?? p.password, [p], p.db);
    } catch {
      return 'redis (invalid URL)';
    }
  }
  return `Redis Cluster ${formatRedisAddress(endpoint.tls === true, endpoint.username ?? endpoint.password, endpoint.nodes)}`;
}
