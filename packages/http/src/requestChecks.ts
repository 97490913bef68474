// A leasedFetch request checked the way fetch (and undici under it) would check it, but before
// any lease: a request fetch refuses is the caller's mistake, never a failure of a proxy.
import { ValidationError } from '@leasehold/core';
import { Request, type RequestInit } from 'undici';

/** fetch's blocked ports (https://fetch.spec.whatwg.org/#port-blocking); undici keeps its copy internal. */
const BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102,
  103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465,
  512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993,
  995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668,
  6669, 6679, 6697, 10080,
]);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What undici sends (lib/core/request.js): fetch trims tabs and spaces, undici refuses controls. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Framing headers undici refuses only when it sends the request, i.e. after the lease. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'keep-alive', 'upgrade']);
/** DNS limits: a longer name resolves nowhere, and the proxy would take the blame. */
const MAX_HOST_NAME = 253;
const MAX_HOST_LABEL = 63;

const invalid = (field: string, message: string, hint?: string): ValidationError =>
  new ValidationError([{ field, message }], hint);

/** An absolute http(s) URL fetch accepts and DNS could resolve. */
export function checkTarget(url: unknown): URL {
  let target: URL | undefined;
  try {
    if (typeof url === 'string' || url instanceof URL) target = new URL(url);
  } catch {}
  if (!target) throw invalid('url', 'must be an absolute URL');
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw invalid('url', 'must be an http: or https: URL');
  }
  if (target.username !== '' || target.password !== '') {
    throw invalid('url', 'must not hold credentials', 'Send them in an Authorization header');
  }
  if (target.port !== '' && BLOCKED_PORTS.has(Number(target.port))) {
    throw invalid('url', `port ${target.port} is blocked by fetch`);
  }
  if (!target.hostname.startsWith('[')) {
    const name = target.hostname.replace(/\.$/, '');
    if (name.length > MAX_HOST_NAME) {
      throw invalid('url', `host name must be at most ${MAX_HOST_NAME} characters`);
    }
    if (name.split('.').some((label) => label.length > MAX_HOST_LABEL)) {
      throw invalid('url', `host name labels must be at most ${MAX_HOST_LABEL} characters`);
    }
  }
  return target;
}

export function isStream(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (typeof (body as ReadableStream).getReader === 'function' ||
      typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  );
}

function checkMethod(method: unknown): string {
  if (method === undefined) return 'GET';
  if (typeof method !== 'string' || !TOKEN.test(method)) {
    throw invalid('init.method', 'must be an HTTP method name');
  }
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) throw invalid('init.method', `${upper} is refused by fetch`);
  return upper;
}

/** [name, value] pairs of whatever form fetch takes: a Headers, pairs, or a record. */
function headerPairs(headers: unknown): [unknown, unknown][] {
  if (headers === undefined || headers === null) return [];
  if (typeof headers !== 'object') {
    throw invalid('init.headers', 'must be a Headers, an array of pairs or an object');
  }
  if (Symbol.iterator in headers) {
    const pairs = [...(headers as Iterable<unknown>)];
    if (!pairs.every((pair) => Array.isArray(pair) && pair.length === 2)) {
      throw invalid('init.headers', 'must be [name, value] pairs');
    }
    return pairs as [unknown, unknown][];
  }
  return Object.entries(headers);
}

function checkHeaders(headers: unknown): void {
  for (const [name, value] of headerPairs(headers)) {
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      throw invalid('init.headers', 'holds a name that is not an HTTP token');
    }
    const field = `init.headers.${name.toLowerCase().slice(0, 64)}`;
    if (FRAMING_HEADERS.has(name.toLowerCase())) {
      throw invalid(field, 'is set by fetch from the body');
    }
    if (name.toLowerCase() === 'expect') throw invalid(field, 'is not supported by undici');
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw invalid(field, 'must be a string');
    }
    const text = String(value);
    // Never the value in the message: headers carry tokens.
    if (!HEADER_VALUE.test(text.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, ''))) {
      throw invalid(field, 'must be one line of printable Latin-1 (no CR, LF or NUL)');
    }
    if (
      name.toLowerCase() === 'connection' &&
      !text.split(',').every((t) => TOKEN.test(t.trim()))
    ) {
      throw invalid(field, 'must be a list of tokens');
    }
  }
}

/**
 * Checks `init` against `target` as fetch would, naming the field at fault; what the explicit
 * checks do not cover (redirect, mode, body types …) is left to undici's Request constructor.
 */
export function checkRequest(target: URL, init: RequestInit): void {
  const method = checkMethod(init.method);
  checkHeaders(init.headers);
  const stream = isStream(init.body);
  if ((method === 'GET' || method === 'HEAD') && init.body != null) {
    throw invalid('init.body', `a ${method} request has no body`);
  }
  if (stream && init.duplex !== 'half') {
    throw invalid('init.duplex', "must be 'half' with a stream body");
  }
  // Headers checked above; not the stream itself: the Request would hold it.
  const { signal: _s, dispatcher: _d, headers: _h, ...rest } = init;
  try {
    new Request(target, stream ? { ...rest, body: '' } : rest);
  } catch (error) {
    throw invalid('init', (error instanceof Error ? error.message : String(error)).slice(0, 200));
  }
}
