import { type HostAndPort, parseHostHeader } from '../options.js';

const WILDCARD_BINDS = new Set(['0.0.0.0', '::']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

/**
 * The names this dashboard answers to. A page on evil.example that rebinds its name to
 * 127.0.0.1 reaches the port, but its requests carry `Host: evil.example` (and an Origin of
 * it), so checking Host against this list is what keeps the page out.
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

  /** A Host header (or an Origin's host) this dashboard answers to; the port defaults per scheme. */
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
