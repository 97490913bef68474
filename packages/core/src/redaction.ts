/**
 * The one credential redactor. Used by the client before an outcome message or reason is
 * stored, and by the worker for its log lines and PostgreSQL rows.
 *
 * Two layers: `redactCredentials` masks what looks like a credential in any text (URL
 * userinfo, `password=`, JSON `"password": "…"`, `Authorization: Basic …`);
 * `scrubSecrets` masks the exact secrets a caller knows (a lease's own password), in each
 * form a scraper may have written them: raw, percent-encoded, JSON-escaped, and
 * `Basic` base64 of `user:pass`.
 */

const MASK = '***';

// Every repetition below is bounded: these run over whole log lines and stack traces, and an
// unbounded one retried at every position is quadratic (a 100 KB line took 30 s).
//
// `scheme://userinfo@`: userinfo runs to the LAST '@' before whitespace or a path, because
// proxy passwords often contain a raw '@' (or quotes, '<', '>'). Over-masking a message is
// fine; leaking a password is not.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#]{0,2048}@/gi;
// Scheme-less `user:pass@host` after a delimiter (`proxy=user:pass@host`, `"user:pass@h"`).
const BARE_USERINFO = /(^|[\s"'(=,<[])[^\s"'(=,:/@<>[]{1,256}:[^\s/]{0,1024}@(?=[\w[])/g;
// libpq key=value strings and URL query parameters: password=…, sslpassword=…, pass=…
const PASSWORD_PARAM = /\b((?:ssl)?pass(?:word|wd)?)=[^\s"'&;]{0,1024}/gi;
// JSON (or JS) `"password": "…"`, `'proxyPassword': '…'`, with escaped quotes inside.
const PASSWORD_JSON =
  /(["']?\b[\w-]{0,32}pass(?:word|wd)?["']?\s{0,8}:\s{0,8})("(?:[^"\\]|\\.){0,1024}"|'(?:[^'\\]|\\.){0,1024}')/gi;
// `Authorization: Basic dXNlcjpwYXNz`, `"proxy-authorization": "Bearer …"`: the whole value.
const AUTH_HEADER =
  /(authorization["']?\s{0,8}[:=]\s{0,8}["']?(?:(?:basic|bearer|digest)\s{1,8})?)[^\s"',;]{1,4096}/gi;
// A bare `Basic <base64>` elsewhere; a digit, + / = or an inner capital tells a token from
// English ("Basic authentication" is kept).
const BASIC_TOKEN =
  /\b(Basic\s{1,8})(?=[A-Za-z0-9+/]{0,4096}(?:[0-9+/=]|[A-Za-z0-9+/][A-Z]))[A-Za-z0-9+/]{6,4096}={0,2}/g;

/** `text` with every credential-looking part masked (URLs, password fields, auth headers). */
export function redactCredentials(text: string): string {
  return text
    .replace(URL_USERINFO, `$1${MASK}:${MASK}@`)
    .replace(BARE_USERINFO, `$1${MASK}:${MASK}@`)
    .replace(PASSWORD_PARAM, `$1=${MASK}`)
    .replace(
      PASSWORD_JSON,
      (_m, key: string, value: string) => `${key}${value[0]}${MASK}${value[0]}`,
    )
    .replace(AUTH_HEADER, `$1${MASK}`)
    .replace(BASIC_TOKEN, `$1${MASK}`);
}

export interface Credentials {
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * Every literal form in which `credentials` may appear in a message: the password raw,
 * percent-encoded (either hex case, `+` for space), JSON-escaped; `user:pass` the same ways;
 * `user:pass` in base64 as a `Basic` header carries it. Longest first, so a longer form is
 * masked whole before a shorter one inside it. The username alone is not a secret (gateways
 * put country and session in it) and is kept.
 */
export function secretForms(credentials: Credentials): string[] {
  const { username, password } = credentials;
  if (password === undefined || password === '') return [];
  const forms = new Set<string>();
  const addTextForms = (value: string) => {
    const encoded = encodeURIComponentSafe(value);
    for (const form of [
      value,
      JSON.stringify(value).slice(1, -1),
      encoded,
      encoded?.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
      encoded?.replace(/%20/g, '+'),
    ])
      if (form) forms.add(form);
  };
  addTextForms(password);
  const pair = `${username ?? ''}:${password}`;
  if (username) addTextForms(pair);
  const base64 = Buffer.from(pair, 'utf8').toString('base64');
  forms.add(base64);
  forms.add(base64.replace(/=+$/, ''));
  forms.add(Buffer.from(pair, 'utf8').toString('base64url'));
  return [...forms].sort((a, b) => b.length - a.length);
}

function encodeURIComponentSafe(value: string): string | undefined {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be percent-encoded; validated inputs never have one.
    return undefined;
  }
}

/** `text` with each literal secret (see `secretForms`) replaced by a mask. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join(MASK);
  return out;
}

/**
 * What may be stored of a message a caller wrote while holding a lease: its own
 * credentials masked in every form, then every credential-looking pattern.
 */
export function redactMessage(text: string, credentials?: Credentials): string {
  const scrubbed = credentials === undefined ? text : scrubSecrets(text, secretForms(credentials));
  return redactCredentials(scrubbed);
}

/** The bound of an outcome's `message` (its schema's). */
export const MAX_OUTCOME_MESSAGE_LENGTH = 1000;

/**
 * A failure's text fit for an outcome's `message`: the lease's proxy credentials scrubbed in
 * every form, then cut to the outcome's bound, in that order, so a cut never leaves part of
 * a secret that no scrubbing after it would recognise.
 */
export function outcomeMessage(text: string, credentials: Credentials): string {
  return redactMessage(text, credentials).slice(0, MAX_OUTCOME_MESSAGE_LENGTH);
}

/** A Redis or PostgreSQL URL fit for a log line: scheme, host, port and path only. */
export function redactConnectionUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const masked = parsed.username || parsed.password ? `${MASK}:${MASK}@` : '';
    return `${parsed.protocol}//${masked}${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return redactCredentials(url);
  }
}
