import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface ProxyCredentials {
  username: string;
  password: string;
}

/** The `Proxy-Authorization: Basic` credentials of a request, or null without (or malformed). */
export function proxyCredentials(req: IncomingMessage): ProxyCredentials | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers['proxy-authorization'] ?? '');
  if (!match) return null;
  const pair = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  if (colon < 0) return null;
  return { username: pair.slice(0, colon), password: pair.slice(colon + 1) };
}

/** Compared in constant time: a test proxy should not teach timing attacks by example. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the request carries exactly `expected`. */
export function hasCredentials(req: IncomingMessage, expected: ProxyCredentials): boolean {
  const given = proxyCredentials(req);
  return (
    given !== null &&
    sameSecret(given.username, expected.username) &&
    sameSecret(given.password, expected.password)
  );
}
