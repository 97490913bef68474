import { type ProxyVerdict, startForwardProxy } from '@leasehold/forward-proxy';

/** How a demo proxy misbehaves, if at all. */
export type ProxyBehaviour =
  | { kind: 'healthy' }
  | { kind: 'slow'; delayMs: number }
  /** Broken (connection resets and 502s) for `brokenMs` at the start of every `periodMs` (from its first request). */
  | { kind: 'failing'; brokenMs: number; periodMs: number }
  /** Every `every`-th request answered 429 with Retry-After: `retryAfterSeconds`. */
  | { kind: 'rateLimited'; every: number; retryAfterSeconds: number }
  | { kind: 'auth'; username: string; password: string };

export interface DemoProxy {
  readonly name: string;
  readonly port: number;
  /** The URL given to the pool (with the credentials of a proxy behind Basic auth). */
  readonly url: string;
  readonly behaviour: ProxyBehaviour;
  /** Requests (and CONNECT tunnels) this proxy received. */
  readonly served: number;
  /** Requests it handled at the same time, at most: what the pool's cap must bound. */
  readonly peak: number;
  readonly inFlight: number;
  close(): Promise<void>;
}

/** The behaviour as the forward proxy's per-request verdict. */
function verdictOf(behaviour: ProxyBehaviour): (served: number) => ProxyVerdict | undefined {
  switch (behaviour.kind) {
    case 'slow':
      return () => ({ action: 'forward', delayMs: behaviour.delayMs * (0.5 + Math.random()) });
    case 'rateLimited':
      return (served) =>
        served % behaviour.every === 0
          ? {
              action: 'answer',
              status: 429,
              headers: { 'retry-after': String(behaviour.retryAfterSeconds) },
            }
          : undefined;
    case 'failing': {
      // Counted from the first request, not the start: the scrapers take a moment to boot.
      let firstAt: number | undefined;
      return (served) => {
        firstAt ??= Date.now();
        if ((Date.now() - firstAt) % behaviour.periodMs >= behaviour.brokenMs) return undefined;
        return served % 2 === 0 ? { action: 'reset' } : { action: 'answer', status: 502 };
      };
    }
    default:
      return () => undefined;
  }
}

/**
 * One of the demo's proxies: a real forward proxy on loopback (@leasehold/forward-proxy)
 * that misbehaves as told, and counts what it serves and its own peak concurrency, so the
 * demo checks the pool's caps against what the proxies saw.
 */
export async function startDemoProxy(name: string, behaviour: ProxyBehaviour): Promise<DemoProxy> {
  const verdict = verdictOf(behaviour);
  const proxy = await startForwardProxy({
    ...(behaviour.kind === 'auth'
      ? { auth: { username: behaviour.username, password: behaviour.password } }
      : {}),
    verdict: (request) => verdict(request.served),
  });
  return {
    name,
    port: proxy.port,
    url: proxy.url,
    behaviour,
    get served() {
      return proxy.requests + proxy.tunnels;
    },
    get peak() {
      return proxy.peak;
    },
    get inFlight() {
      return proxy.inFlight;
    },
    close: () => proxy.close(),
  };
}
