import { redactProxyUrl } from '@leasehold/core';

/**
 * Credential scrubbing for everything the worker prints. Proxy URLs, REDIS_URL and
 * DATABASE_URL all carry passwords in the `scheme://user:password@host` form, and error
 * messages from drivers or from scrapers (an outcome `message`) may quote them verbatim.
 */

const MASK = '***';

// `scheme://userinfo@`: userinfo runs to the LAST '@' before a delimiter, because proxy
// passwords often contain a raw '@'. JSON quotes and whitespace end a URL inside a log line.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s"'<>/]*@/gi;
// libpq key=value strings and URL query parameters: password=..., sslpassword=..., pass=...
const PASSWORD_PARAM = /\b((?:ssl)?pass(?:word)?)=[^\s"'&;]*/gi;

/** `text` with the credentials of every URL and `password=` parameter in it masked. */
export function redactCredentials(text: string): string {
  return text.replace(URL_USERINFO, `$1${MASK}:${MASK}@`).replace(PASSWORD_PARAM, `$1=${MASK}`);
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

/** A proxy URL fit for a log line (the same masking the client uses). */
export { redactProxyUrl };
