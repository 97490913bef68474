import { redactConnectionUrl, redactCredentials, redactProxyUrl } from '@leasehold/core';

/**
 * Credential scrubbing for everything the worker prints or stores. Proxy URLs, REDIS_URL and
 * DATABASE_URL all carry passwords in the `scheme://user:password@host` form, and error
 * messages from drivers or from scrapers (an outcome `message`) may quote them verbatim.
 * The patterns live in core (`redactCredentials`), shared with the client.
 */

/** The text redactor and the URL masking the client uses (one place for them: core). */
export { redactConnectionUrl, redactCredentials, redactProxyUrl };

/**
 * A serialised log line with credentials masked. A JSON line is parsed and each string in it
 * redacted, so a password holding a quote (written `\"` in JSON) is seen as the caller wrote
 * it; anything else is redacted as text.
 */
export function redactLogLine(line: string): string {
  const trimmed = line.trimEnd();
  if (trimmed.startsWith('{')) {
    try {
      const redacted = JSON.stringify(redactStrings(JSON.parse(trimmed)));
      return line.endsWith('\n') ? `${redacted}\n` : redacted;
    } catch {
      // Not JSON after all: fall through to the text redactor.
    }
  }
  return redactCredentials(line);
}

// A field named like a secret is censored whole at any depth (pino's paths stop at three),
// with pino's censor so both read alike.
export const CENSOR = '[redacted]';
const SECRET_KEY = /pass(?:word|wd)?$|secret|authorization|^token$|api_?key/i;

function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactCredentials(value);
  if (Array.isArray(value)) return value.map(redactStrings);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value))
      out[key] = typeof inner === 'string' && SECRET_KEY.test(key) ? CENSOR : redactStrings(inner);
    return out;
  }
  return value;
}
