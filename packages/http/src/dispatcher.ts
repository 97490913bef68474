import { createHash } from 'node:crypto';
import { Agent, type buildConnector, type Dispatcher, Pool, ProxyAgent } from 'undici';
import { ProxyTunnelError } from './attemptFaults.js';
import {
  credentialedUrl,
  isSocks,
  type LeaseLike,
  type LeaseProxy,
  leasedProxy,
  proxyOrigin,
} from './leaseProxy.js';
import { socksConnector } from './socksConnector.js';

export interface ProxyDispatcherOptions {
  /**
   * TLS options for https targets (and an https proxy), e.g. `{ ca }` for a private CA.
   * The system's trust store (and NODE_EXTRA_CA_CERTS) applies without it.
   */
  tls?: buildConnector.BuildOptions;
}

/**
 * The pool ProxyAgent sends CONNECT through, its failures marked as the proxy's: past the
 * tunnel, the same errors (a parser error, a reset) may be the site's.
 */
function tunnelPool(origin: URL, options: Pool.Options): Pool {
  const pool = new Pool(origin, options);
  const connect = pool.connect.bind(pool) as (o: Dispatcher.ConnectOptions) => Promise<unknown>;
  Object.assign(pool, {
    connect: (o: Dispatcher.ConnectOptions) =>
      connect(o).catch((error: unknown) => {
        throw new ProxyTunnelError(error);
      }),
  });
  return pool;
}

function basicToken(proxy: LeaseProxy): string | undefined {
  if (proxy.username === undefined && proxy.password === undefined) return undefined;
  const pair = `${proxy.username ?? ''}:${proxy.password ?? ''}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/**
 * An undici dispatcher that sends every request through the lease's proxy: ProxyAgent for
 * http(s) proxies (credentials as Proxy-Authorization), an Agent with a SOCKS connector for
 * socks4/socks5. Use it with the `fetch` exported by this package (undici's): Node's
 * built-in fetch bundles its own undici, whose dispatcher interface may differ.
 * The caller owns it: `close()` it when done, or let idle sockets time out.
 */
export function proxyDispatcher(
  lease: LeaseLike,
  options: ProxyDispatcherOptions = {},
): Dispatcher {
  const proxy = leasedProxy(lease);
  const tls = options.tls ?? {};
  if (isSocks(proxy)) return new Agent({ connect: socksConnector(proxy, tls) });
  const token = basicToken(proxy);
  return new ProxyAgent({
    uri: proxyOrigin(proxy),
    ...(token === undefined ? {} : { token }),
    requestTls: tls,
    proxyTls: tls,
    clientFactory: tunnelPool,
  });
}

const CACHE_SIZE = 64;
const cache = new Map<string, Dispatcher>();

function cacheKey(proxy: LeaseProxy, options: ProxyDispatcherOptions): string {
  if (options.tls === undefined) return credentialedUrl(proxy);
  const tls = createHash('sha256').update(JSON.stringify(options.tls)).digest('hex');
  return `${credentialedUrl(proxy)}#${tls}`;
}

/**
 * One dispatcher per proxy (and TLS options), least recently used out past CACHE_SIZE: a
 * proxy leased again reuses its keep-alive connections instead of a new tunnel each time.
 */
export function sharedProxyDispatcher(
  lease: LeaseLike,
  options: ProxyDispatcherOptions = {},
): Dispatcher {
  const key = cacheKey(leasedProxy(lease), options);
  let dispatcher = cache.get(key);
  if (dispatcher) cache.delete(key);
  else dispatcher = proxyDispatcher(lease, options);
  cache.set(key, dispatcher);
  for (const [oldest, evicted] of cache) {
    if (cache.size <= CACHE_SIZE) break;
    cache.delete(oldest);
    // Requests in flight on it finish; only then its sockets close.
    void evicted.close().catch(() => {});
  }
  return dispatcher;
}

/** Closes every dispatcher leasedFetch keeps for reuse (at shutdown, or in tests). */
export async function closeSharedDispatchers(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.all(all.map((d) => d.close().catch(() => {})));
}
