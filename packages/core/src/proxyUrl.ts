import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { isWellFormed, LIMITS, utf8Bytes, WELL_FORMED_MESSAGE } from './bounds.js';
import { ValidationError } from './errors.js';

/**
 * Proxy URL parsing, normalisation, identity and redaction.
 *
 * Identity is the full URL including credentials, because gateways differ only by username
 * (`user-country-ar`, `user-session-42`). The id is a hash of the normalised URL, so adding
 * the same proxy twice, written differently, is idempotent.
 */

export const PROXY_PROTOCOLS = ['http', 'https', 'socks4', 'socks5'] as const;
export type ProxyProtocol = (typeof PROXY_PROTOCOLS)[number];

const DEFAULT_PORTS: Record<ProxyProtocol, number> = {
  http: 80,
  https: 443,
  socks4: 1080,
  socks5: 1080,
};

export interface ParsedProxyUrl {
  protocol: ProxyProtocol;
  /** Host name in lower case, or an IPv6 address without brackets. */
  host: string;
  port: number;
  /** Percent-decoded. */
  username?: string;
  /** Percent-decoded. */
  password?: string;
  /** Canonical form: lower-case scheme and host, explicit port, canonical percent-encoding. */
  normalized: string;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})?(\.[a-z0-9_]([a-z0-9_-]{0,62})?)*\.?$/;

function fail(field: string, message: string): never {
  throw new ValidationError([{ field, message }]);
}

function decodeCredential(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return fail(field, 'is not valid percent-encoding');
  }
}

/**
 * Parse a proxy URL such as `socks5://user:p%40ss@[2001:db8::1]:1080`. A URL without a
 * scheme is taken as `http://`. `field` names the input in errors (e.g. `proxies[3].url`).
 */
export function parseProxyUrl(input: string, field = 'url'): ParsedProxyUrl {
  if (typeof input !== 'string') fail(field, 'must be a string');
  // Checked first: a lone surrogate would make encodeURIComponent throw a URIError below.
  if (!isWellFormed(input)) fail(field, WELL_FORMED_MESSAGE);
  if (utf8Bytes(input) > LIMITS.maxProxyUrlBytes)
    fail(field, `must be at most ${LIMITS.maxProxyUrlBytes} bytes`);
  const text = input.trim();
  if (text.length === 0) fail(field, 'is empty');
  if (/\s/.test(text)) fail(field, 'contains whitespace');

  const schemeEnd = text.indexOf('://');
  const scheme = schemeEnd === -1 ? 'http' : text.slice(0, schemeEnd).toLowerCase();
  if (!(PROXY_PROTOCOLS as readonly string[]).includes(scheme)) {
    fail(`${field}.protocol`, `must be one of ${PROXY_PROTOCOLS.join(', ')}`);
  }
  const protocol = scheme as ProxyProtocol;

  let rest = schemeEnd === -1 ? text : text.slice(schemeEnd + 3);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);

  // The last '@' separates credentials: passwords in proxy lists often contain a raw '@'.
  const at = rest.lastIndexOf('@');
  const userInfo = at === -1 ? undefined : rest.slice(0, at);
  const hostPort = at === -1 ? rest : rest.slice(at + 1);
  if (/[/?#]/.test(hostPort)) fail(field, 'must not have a path, query or fragment');

  let username: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    const rawUser = colon === -1 ? userInfo : userInfo.slice(0, colon);
    const rawPass = colon === -1 ? undefined : userInfo.slice(colon + 1);
    if (rawUser.length === 0) fail(`${field}.username`, 'is empty');
    username = decodeCredential(rawUser, `${field}.username`);
    if (rawPass !== undefined) password = decodeCredential(rawPass, `${field}.password`);
  }

  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) fail(`${field}.host`, 'has an unclosed IPv6 bracket');
    const address = hostPort.slice(1, close);
    // node:net accepts `fe80::1%eth0`, but a zone id names an interface of one machine and
    // no URL parser or proxy agent takes it.
    if (address.includes('%')) fail(`${field}.host`, 'IPv6 zone ids (%eth0) are not supported');
    if (!isIPv6(address)) fail(`${field}.host`, 'is not a valid IPv6 address');
    host = compressIPv6(address, `${field}.host`);
    const after = hostPort.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) fail(field, 'has text after the IPv6 address');
      portText = after.slice(1);
    }
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = (colon === -1 ? hostPort : hostPort.slice(0, colon)).toLowerCase();
    portText = colon === -1 ? undefined : hostPort.slice(colon + 1);
    if (host.length === 0) fail(`${field}.host`, 'is empty');
    if (host.includes(':')) fail(`${field}.host`, 'IPv6 addresses must be in brackets');
    if (/[{}]/.test(host))
      fail(
        `${field}.host`,
        'may not hold a placeholder: {session} goes in the username or password',
      );
    if (!isIPv4(host) && !HOSTNAME.test(host)) fail(`${field}.host`, 'is not a valid host name');
  }

  let port = DEFAULT_PORTS[protocol];
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) fail(`${field}.port`, 'must be a number from 1 to 65535');
    port = Number(portText);
    if (port < 1 || port > 65535) fail(`${field}.port`, `${port} is out of range (1-65535)`);
  }

  const normalized = formatProxyUrl({ protocol, host, port, username, password });

  return {
    protocol,
    host,
    port,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    normalized,
  };
}

/** The canonical URL of already-validated parts (see ParsedProxyUrl.normalized). */
export function formatProxyUrl(parts: {
  /** A ProxyProtocol, or a client's own spelling of it (e.g. `socks5h`). */
  protocol: string;
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
}): string {
  const { protocol, host, port, username, password } = parts;
  const credentials =
    username === undefined
      ? ''
      : `${encodeURIComponent(username)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `${protocol}://${credentials}${hostPart}:${port}`;
}

/** The WHATWG compressed form, so equal addresses share one id. */
function compressIPv6(address: string, field: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return fail(field, 'is not a valid IPv6 address');
  }
}

/** Stable id of a proxy: first 16 hex digits of SHA-256 over the normalised URL. */
export function proxyIdFromUrl(normalizedUrl: string): string {
  return createHash('sha256').update(normalizedUrl).digest('hex').slice(0, 16);
}

/**
 * The URL with credentials masked, for logs, errors and CLI output. Never throws: a URL
 * that cannot be parsed is reduced to what is surely not a secret.
 */
export function redactProxyUrl(url: string): string {
  try {
    const parsed = parseProxyUrl(url);
    const hostPart = parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host;
    const masked = parsed.username === undefined ? '' : '***:***@';
    return `${parsed.protocol}://${masked}${hostPart}:${parsed.port}`;
  } catch {
    const at = url.lastIndexOf('@');
    return at === -1 ? '(unparseable proxy url)' : `***@${url.slice(at + 1)}`;
  }
}
