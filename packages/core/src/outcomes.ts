import { LIMITS } from './bounds.js';
import type { ErrorCategory } from './schemas/outcomes.js';

/**
 * classifyOutcome: from what a scraper saw (an HTTP status, a Node/undici error, a
 * Retry-After header) to the outcome Leasehold records. The categories decide what happens:
 * `rate_limit` rests the proxy without counting a failure; `auth`/`blocked` retire the
 * session at once; the rest count toward the proxy's circuit breaker.
 *
 * Whatever it is given (a hostile header, a status the RFCs never heard of, an error whose
 * `cause` points at itself), what it returns is accepted by releaseProxy: it never throws,
 * and every number is clamped into the range OutcomeSchema allows.
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

/** How far down a `cause` chain a code is looked for; chains may also loop. */
const MAX_CAUSE_DEPTH = 8;

/** `input[key]`, or undefined when it cannot be read (no object, a throwing getter). */
function property(input: unknown, key: string): unknown {
  if (typeof input !== 'object' || input === null) return undefined;
  try {
    return (input as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `error[key]` if it is a string; a throwing getter or a Proxy trap reads as absent. */
function stringProperty(error: unknown, key: 'code' | 'name' | 'message'): string | undefined {
  const value = property(error, key);
  return typeof value === 'string' ? value : undefined;
}

/** The error and its causes, at most MAX_CAUSE_DEPTH of them, each once. */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (chain.length < MAX_CAUSE_DEPTH && current != null && !chain.includes(current)) {
    chain.push(current);
    current = property(current, 'cause');
  }
  return chain;
}

/** The first `code` down the cause chain: fetch() wraps the socket error as its cause. */
function errorCode(error: unknown): string | undefined {
  for (const current of causeChain(error)) {
    const code = stringProperty(current, 'code');
    if (code !== undefined) return code;
  }
  return undefined;
}

const PROXY_AUTH_MESSAGE = /\b407\b|proxy authentication/i;

function message(error: unknown): string {
  return (stringProperty(error, 'message') ?? '').slice(0, 1000);
}

function categoryOfError(error: unknown): ErrorCategory {
  const code = errorCode(error);
  if (code !== undefined) {
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (NETWORK_CODES.has(code)) return 'network';
    if (AUTH_CODES.has(code)) return 'auth';
  }
  // Proxy agents report a refused CONNECT as a message, e.g. "... 407 Proxy Authentication
  // Required"; undici's is the cause of fetch's TypeError, an `AbortError` named "Proxy
  // response (407) !== 200 when HTTP Tunneling", so it is looked for before the name.
  if (causeChain(error).some((e) => PROXY_AUTH_MESSAGE.test(message(e)))) return 'auth';
  const name = stringProperty(error, 'name');
  if (name !== undefined && TIMEOUT_NAMES.has(name)) return 'timeout';
  return 'unknown';
}

/** A status OutcomeSchema accepts: any three-digit integer. */
function isStatusCode(status: unknown): status is number {
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999;
}

function categoryOfStatus(status: number): ErrorCategory | 'ok' {
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 407) return 'auth';
  // 999: LinkedIn's (and others') answer to a client it has decided is a bot.
  if (status === 403 || status === 999) return 'blocked';
  if (status === 408 || status === 504 || status === 524) return 'timeout';
  if (status >= 500 && status <= 599) return 'server';
  // 1xx and 600-998: nothing a working proxy and a willing site answer with.
  if (status < 200 || status >= 600) return 'unknown';
  // Anything else the site answered (2xx, 3xx, 404 …) means the proxy did its job.
  return 'ok';
}

/**
 * Retry-After in ms: delta-seconds or an HTTP date, clamped to 0..LIMITS.maxRetryAfterMs
 * (a date in the past is 0, two days ahead is one day); undefined when absent or unreadable.
 */
export function parseRetryAfter(value: unknown, now: unknown = Date.now()): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number') {
    ms = value * 1000;
  } else if (typeof value === 'string') {
    const text = value.trim().slice(0, 100);
    if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
    else {
      const date = Date.parse(text);
      const reference = typeof now === 'number' && Number.isFinite(now) ? now : Date.now();
      ms = date - reference;
    }
  }
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  return Math.round(Math.min(LIMITS.maxRetryAfterMs, Math.max(0, ms)));
}

export function classifyOutcome(input: ClassifyInput): ClassifiedOutcome {
  const statusCode = property(input, 'statusCode');
  const error = property(input, 'error');
  const retryAfter = property(input, 'retryAfter');
  const now = property(input, 'now');
  const status = isStatusCode(statusCode) ? { statusCode } : {};
  if (error !== undefined && error !== null) {
    return { ok: false, error: categoryOfError(error), ...status };
  }
  // No status and no error is not a success: nothing says the request got an answer.
  // Status 0 is what browsers and some clients report for a request that never completed.
  if (statusCode === 0) return { ok: false, error: 'network' };
  if (!isStatusCode(statusCode)) return { ok: false, error: 'unknown' };
  const category = categoryOfStatus(statusCode);
  if (category === 'ok') return { ok: true };
  const retryAfterMs =
    category === 'rate_limit' || statusCode === 503 ? parseRetryAfter(retryAfter, now) : undefined;
  return {
    ok: false,
    error: category,
    statusCode,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}
