import type { ErrorCategory } from './schemas.js';

/**
 * classifyOutcome: from what a scraper saw (an HTTP status, a Node/undici error, a
 * Retry-After header) to the outcome Leasehold records. The categories decide what happens:
 * `rate_limit` rests the proxy without counting a failure; `auth`/`blocked` retire the
 * session at once; the rest count toward the proxy's circuit breaker.
 */

export type ClassifiedOutcome =
  | { ok: true }
  | { ok: false; error: ErrorCategory; statusCode?: number; retryAfterMs?: number };

export interface ClassifyInput {
  statusCode?: number;
  /** A thrown error, or anything with a `code` / `name` (ECONNRESET, AbortError …). */
  error?: unknown;
  /** The Retry-After header value: seconds, or an HTTP date. */
  retryAfter?: string | number;
  /** Reference time for an HTTP-date Retry-After (defaults to Date.now()). */
  now?: number;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPROTO',
  'ERR_SOCKET_CLOSED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_HTTP2_STREAM_CANCEL',
]);
const TIMEOUT_NAMES = new Set(['AbortError', 'TimeoutError']);
const AUTH_CODES = new Set(['ERR_PROXY_AUTH', 'PROXY_AUTH_REQUIRED']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; cause?: unknown };
  if (typeof e.code === 'string') return e.code;
  // fetch() wraps the socket error: TypeError('fetch failed', { cause: { code } }).
  return e.cause === undefined ? undefined : errorCode(e.cause);
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' &&
    error !== null &&
    typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : undefined;
}

function categoryOfError(error: unknown): ErrorCategory {
  const code = errorCode(error);
  if (code !== undefined) {
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (NETWORK_CODES.has(code)) return 'network';
    if (AUTH_CODES.has(code)) return 'auth';
  }
  const name = errorName(error);
  if (name !== undefined && TIMEOUT_NAMES.has(name)) return 'timeout';
  // Proxy agents report a refused CONNECT as a message, e.g. "... 407 Proxy Authentication Required".
  const message = error instanceof Error ? error.message : '';
  if (/\b407\b|proxy authentication/i.test(message)) return 'auth';
  return 'unknown';
}

function categoryOfStatus(status: number): ErrorCategory | 'ok' {
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 407) return 'auth';
  if (status === 403) return 'blocked';
  if (status === 408 || status === 504 || status === 524) return 'timeout';
  if (status >= 500) return 'server';
  // Anything else the site answered (2xx, 3xx, 404 …) means the proxy did its job.
  return 'ok';
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | number | undefined,
  now = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function classifyOutcome(input: ClassifyInput): ClassifiedOutcome {
  if (input.error !== undefined && input.error !== null) {
    return {
      ok: false,
      error: categoryOfError(input.error),
      ...(input.statusCode === undefined ? {} : { statusCode: input.statusCode }),
    };
  }
  if (input.statusCode === undefined) return { ok: true };
  const category = categoryOfStatus(input.statusCode);
  if (category === 'ok') return { ok: true };
  const retryAfterMs =
    category === 'rate_limit' || input.statusCode === 503
      ? parseRetryAfter(input.retryAfter, input.now)
      : undefined;
  return {
    ok: false,
    error: category,
    statusCode: input.statusCode,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}
