// Whose fault an error thrown by fetch is. Only the proxy's failures count against the proxy and
// are retried elsewhere; what fetch refuses in the site's answer would fail on any proxy. (The
// caller's request is checked before any lease: requestChecks.ts.)
import { errors } from 'undici';

export type Fault = 'proxy' | 'site';

/**
 * An error while the proxy opened its tunnel (its connect, its TLS, its answer to CONNECT):
 * the proxy's, even a parser error, which after the tunnel would be the site's.
 */
export class ProxyTunnelError extends Error {
  readonly code: string;

  constructor(cause: unknown) {
    super(`proxy tunnel: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ProxyTunnelError';
    const code = (cause as { code?: unknown } | null)?.code;
    // A garbled answer to CONNECT (a port that is no proxy): a protocol error of the proxy.
    this.code = typeof code === 'string' && !code.startsWith('HPE_') ? code : 'EPROTO';
  }
}

/**
 * fetch's refusals of a redirect the site answered with (undici lib/web/fetch/index.js,
 * httpRedirectFetch and the port check a redirect goes through): plain Errors, no code.
 */
const REDIRECT_REFUSALS = new Set([
  'redirect count exceeded',
  'unexpected redirect',
  'URL scheme must be a HTTP(S) scheme',
  'bad port',
  'cross origin not allowed for request mode "cors"',
  'URL cannot contain credentials for request mode "cors"',
]);
/** A Location header that is no URL. */
const BAD_LOCATION = 'ERR_INVALID_URL';

function chain(error: unknown): unknown[] {
  const seen: unknown[] = [];
  for (let at = error; at instanceof Error && seen.length < 8 && !seen.includes(at); ) {
    seen.push(at);
    at = at.cause;
  }
  return seen;
}

export function faultOf(error: unknown): Fault {
  const links = chain(error);
  if (links.some((e) => e instanceof ProxyTunnelError)) return 'proxy';
  for (const e of links) {
    const code = (e as { code?: unknown }).code;
    if (code === BAD_LOCATION || e instanceof errors.HTTPParserError) return 'site';
    if (code === undefined && REDIRECT_REFUSALS.has((e as Error).message)) return 'site';
  }
  return 'proxy';
}
