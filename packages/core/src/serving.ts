// What every server Leasehold ships (dashboard, gateway) checks before it listens: the bind
// host is an address or a name that could resolve, a bind beyond loopback needs a token, and
// that token is hard to get wrong. Secrets are compared in constant time.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';

/** A DNS name: letters, digits and hyphens per label. */
const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An IP address or a host name that could resolve; `127.999.1.1` (an IPv4 typo) is neither. */
export function isHostName(value: string): boolean {
  if (isIP(value) !== 0) return true;
  return HOSTNAME.test(value) && !/^\d+$/.test(value.split('.').at(-1) ?? '');
}

/** The interface a server binds. */
export const bindHostSchema = z
  .string()
  .min(1)
  .max(253)
  .refine(isHostName, 'must be an IP address or a host name (e.g. 127.0.0.1, ::1, 0.0.0.0)');

export function isLoopback(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'localhost' || name === '::1' || (isIP(name) === 4 && name.startsWith('127.'));
}

/**
 * A server's token: at least 16 characters, no whitespace (a token pasted with a newline, or
 * 16 spaces, is a mistake), and not one character repeated: it is the only thing between the
 * network and what the server can do.
 */
export const serverTokenSchema = z
  .string()
  .min(16, 'must be at least 16 characters')
  .max(512)
  .regex(/^\S+$/, 'must not contain whitespace')
  .refine((v) => new Set(v).size >= 6, 'must mix at least 6 different characters');

/** Compared in constant time, so a wrong guess teaches nothing by its timing. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
