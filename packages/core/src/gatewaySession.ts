import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';
import { formatProxyUrl, type ParsedProxyUrl, parseProxyUrl } from './proxyUrl.js';

/**
 * Gateway proxies: one provider host whose exit IP is chosen by a session id written into the
 * username (`customer-acme-session-{session}`) or the password (IPRoyal's
 * `pass_session-{session}_lifetime-30m`). The stored URL keeps the template; each lease gets
 * it filled with a token, so a Leasehold session keeps one exit for as long as it lives.
 */

export const GATEWAY_SESSION_PLACEHOLDER = '{session}';
export const GATEWAY_TOKEN_DEFAULT_LENGTH = 16;
export const GATEWAY_TOKEN_MIN_LENGTH = 4;
export const GATEWAY_TOKEN_MAX_LENGTH = 32;

/** Where a proxy URL carries its `{session}` placeholder, and how long its token is. */
export interface GatewayTemplate {
  in: 'username' | 'password';
  tokenLength: number;
}

// Identifier-like `{name}` or `{name:arg}`: what reads as a placeholder. Other braces (a
// password like `a{b!c`) are literal characters, as they always were.
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}/g;

/**
 * The token that stands for `key` (a session id, or a lease id for a lease without session):
 * lower-case letters and digits only, because providers accept nothing else in a session id,
 * while Leasehold session ids may hold `_ . -`. Derived from SHA-256, so every process (and a
 * person looking for the session in the provider's dashboard) gets the same one.
 */
export function gatewaySessionToken(key: string, length = GATEWAY_TOKEN_DEFAULT_LENGTH): string {
  if (typeof key !== 'string' || key.length === 0)
    throw new ValidationError([{ field: 'sessionId', message: 'must be a non-empty string' }]);
  if (
    !Number.isInteger(length) ||
    length < GATEWAY_TOKEN_MIN_LENGTH ||
    length > GATEWAY_TOKEN_MAX_LENGTH
  ) {
    throw new ValidationError([
      {
        field: 'length',
        message: `must be an integer from ${GATEWAY_TOKEN_MIN_LENGTH} to ${GATEWAY_TOKEN_MAX_LENGTH}`,
      },
    ]);
  }
  const digest = createHash('sha256').update(key, 'utf8').digest('hex');
  // 256 bits are ~49.5 base-36 digits; the low ones are uniform, the top one is not.
  return BigInt(`0x${digest}`).toString(36).padStart(50, '0').slice(-length);
}

interface Found {
  in: 'username' | 'password';
  name: string;
  arg: string | undefined;
}

function placeholdersOf(parsed: ParsedProxyUrl): Found[] {
  const found: Found[] = [];
  for (const part of ['username', 'password'] as const) {
    const value = parsed[part];
    if (value === undefined) continue;
    for (const match of value.matchAll(PLACEHOLDER)) {
      found.push({ in: part, name: match[1] as string, arg: match[2] });
    }
  }
  return found;
}

function tokenLengthOf(arg: string | undefined): number | undefined {
  if (arg === undefined) return GATEWAY_TOKEN_DEFAULT_LENGTH;
  if (!/^\d{1,2}$/.test(arg)) return undefined;
  const length = Number(arg);
  return length >= GATEWAY_TOKEN_MIN_LENGTH && length <= GATEWAY_TOKEN_MAX_LENGTH
    ? length
    : undefined;
}

/**
 * Validate the placeholders of a proxy URL being added: at most one `{session}` (or
 * `{session:N}`, a token of N characters, e.g. 8 for IPRoyal), in the username or the
 * password, and no other placeholder. Errors name `<field>.username` / `<field>.password` and
 * never quote the credentials. Returns undefined for an ordinary proxy.
 */
export function parseGatewayTemplate(
  parsed: ParsedProxyUrl,
  field = 'url',
): GatewayTemplate | undefined {
  let template: GatewayTemplate | undefined;
  for (const found of placeholdersOf(parsed)) {
    const at = `${field}.${found.in}`;
    if (found.name !== 'session') {
      throw new ValidationError(
        [{ field: at, message: `has an unknown placeholder {${found.name}}` }],
        'the only placeholder is {session} (or {session:N} for a token of N characters)',
      );
    }
    const tokenLength = tokenLengthOf(found.arg);
    if (tokenLength === undefined) {
      throw new ValidationError([
        {
          field: at,
          message: `{session:N} needs N from ${GATEWAY_TOKEN_MIN_LENGTH} to ${GATEWAY_TOKEN_MAX_LENGTH}`,
        },
      ]);
    }
    if (template !== undefined) {
      throw new ValidationError(
        [{ field: at, message: 'has a second {session} placeholder; a gateway URL takes one' }],
        'put {session} once, in the username or the password',
      );
    }
    template = { in: found.in, tokenLength };
  }
  for (const part of ['username', 'password'] as const) {
    // `user-{session:8}:pass` splits at its colon: `{session` must not pass for text.
    if (parsed[part]?.replace(PLACEHOLDER, '').includes('{session')) {
      throw new ValidationError(
        [{ field: `${field}.${part}`, message: 'has an unterminated {session placeholder' }],
        'in a username, write the colon of {session:N} as %3A',
      );
    }
  }
  return template;
}

/** The template of a stored (already validated) URL, or undefined. Never throws. */
export function gatewayTemplateOf(url: string): GatewayTemplate | undefined {
  try {
    return parseGatewayTemplate(parseProxyUrl(url));
  } catch {
    return undefined;
  }
}

export interface FilledGatewayUrl {
  url: string;
  username?: string;
  password?: string;
  /** The token that replaced `{session}`. */
  token: string;
}

/**
 * `parsed` with its `{session}` placeholder replaced by the token of `key`, or undefined when
 * it has none. Lenient: a stored URL is used as it was validated when it was added.
 */
export function fillGatewayUrl(parsed: ParsedProxyUrl, key: string): FilledGatewayUrl | undefined {
  const found = placeholdersOf(parsed).find((p) => p.name === 'session');
  if (found === undefined) return undefined;
  const token = gatewaySessionToken(key, tokenLengthOf(found.arg) ?? GATEWAY_TOKEN_DEFAULT_LENGTH);
  const placeholder = found.arg === undefined ? '{session}' : `{session:${found.arg}}`;
  const value = (parsed[found.in] as string).replace(placeholder, token);
  const filled = { ...parsed, [found.in]: value };
  const { username, password } = filled;
  return {
    url: formatProxyUrl(filled),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    token,
  };
}
