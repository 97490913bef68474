// What every server Leasehold ships (dashboard, gateway) checks before it listens: the bind
// host is an address or a name that could resolve, a bind beyond loopback needs a token, and
// that token is hard to get wrong; requests are answered only under the names it serves
// (DNS rebinding). Secrets are compared in constant time.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';

/** A DNS name: letters, digits and hyphens per label. */
const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An IP address or a host name that could resolve; `127.999.1.1` (an IPv4 typo) is neither. */
function isHostName(value: string): boolean {
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

export interface HostAndPort {
  /** Lower case, IPv6 without brackets, no trailing dot. */
  name: string;
  port: number | undefined;
}

/** `name[:port]` or `[v6][:port]`, or undefined for anything else (a path, userinfo, junk). */
export function parseHostHeader(value: string): HostAndPort | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/i.exec(value);
  if (m === null) return undefined;
  const name = (m[1] ?? m[2] ?? '').toLowerCase().replace(/\.$/, '');
  if (m[1] !== undefined ? isIP(name) !== 6 : !isHostName(name)) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && port > 65_535) return undefined;
  return { name, port };
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

/**
 * The names a server answers to. A page on evil.example that rebinds its name to 127.0.0.1
 * reaches the port, but its requests carry `Host: evil.example` (and an Origin of it), so
 * checking Host against this list is what keeps the page out.
 */
export class AllowedHosts {
  private readonly entries: HostAndPort[];

  /** `bindHost` and `port` as listening (port 0 resolved); `extra` from allowedHosts. */
  constructor(bindHost: string, port: number, extra: readonly string[]) {
    const bind = bindHost.toLowerCase();
    const bound = WILDCARD_BINDS.has(bind) ? LOOPBACK_NAMES : [...LOOPBACK_NAMES, bind];
    this.entries = [
      ...bound.map((name) => ({ name, port })),
      ...extra.flatMap((value) => parseHostHeader(value) ?? []),
    ];
  }

  /** A Host header (or an Origin's host) this server answers to; the port defaults per scheme. */
  allows(host: string | undefined, defaultPort = 80): boolean {
    const parsed = host === undefined ? undefined : parseHostHeader(host);
    if (parsed === undefined) return false;
    const port = parsed.port ?? defaultPort;
    return this.entries.some(
      (e) => e.name === parsed.name && (e.port === undefined || e.port === port),
    );
  }

  /** An Origin header naming one of the allowed hosts (`null` and junk are not). */
  allowsOrigin(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (url.origin !== origin.replace(/\/$/, '').toLowerCase()) return false;
    return this.allows(url.host, url.protocol === 'https:' ? 443 : 80);
  }
}
