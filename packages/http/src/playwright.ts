import { UnsupportedProxyError } from './errors.js';
import { hasCredentials, isSocks, type LeaseLike, leasedProxy, proxyOrigin } from './leaseProxy.js';

/** Playwright's `proxy` option (launch or newContext). */
export interface PlaywrightProxy {
  server: string;
  username?: string;
  password?: string;
}

/**
 * The lease's proxy as Playwright takes it: `{ server, username, password }` with decoded
 * credentials. Chromium cannot authenticate to a SOCKS proxy, so a SOCKS proxy with
 * credentials is an UnsupportedProxyError here rather than a failed navigation later.
 */
export function toPlaywrightProxy(lease: LeaseLike): PlaywrightProxy {
  const proxy = leasedProxy(lease);
  if (isSocks(proxy)) {
    if (hasCredentials(proxy)) {
      throw new UnsupportedProxyError(
        `Chromium does not support ${proxy.protocol} proxies with a username and password`,
        'Lease a proxy without credentials for browsers (e.g. filters by tag), or an http(s) one',
      );
    }
    return { server: proxyOrigin(proxy) };
  }
  return {
    server: proxyOrigin(proxy),
    ...(proxy.username === undefined ? {} : { username: proxy.username }),
    ...(proxy.password === undefined ? {} : { password: proxy.password }),
  };
}
