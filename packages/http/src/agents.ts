import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { credentialedUrl, isSocks, type LeaseLike, leasedProxy } from './leaseProxy.js';

// Reuse connections to the proxy (idle ones do not keep the process alive).
const KEEP_ALIVE = { keepAlive: true };

export interface ProxyAgents {
  /** For http:// targets (got's `agent.http`, axios' `httpAgent`). */
  http: HttpAgent;
  /** For https:// targets (got's `agent.https`, axios' `httpsAgent`). */
  https: HttpsAgent;
}

/**
 * Node http(s) agents that go through the lease's proxy, for got and axios (give axios
 * `proxy: false` too, or it applies its own proxy settings on top). http(s) proxies: plain
 * requests as absolute URIs, https through a CONNECT tunnel; SOCKS proxies: one agent for
 * both, host names resolved by the proxy.
 */
export function proxyAgents(lease: LeaseLike): ProxyAgents {
  const proxy = leasedProxy(lease);
  if (isSocks(proxy)) {
    const scheme = proxy.protocol === 'socks4' ? 'socks4a' : 'socks5h';
    // agent-base agents serve both schemes; node's typings tell http and https agents apart.
    const agent = new SocksProxyAgent(credentialedUrl(proxy, scheme), KEEP_ALIVE);
    return { http: agent, https: agent as unknown as HttpsAgent };
  }
  const url = credentialedUrl(proxy);
  return {
    http: new HttpProxyAgent(url, KEEP_ALIVE),
    https: new HttpsProxyAgent(url, KEEP_ALIVE) as unknown as HttpsAgent,
  };
}
