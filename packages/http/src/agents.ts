import type { Agent } from 'node:http';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { credentialedUrl, isSocks, type LeaseLike, leasedProxy } from './leaseProxy.js';

export interface ProxyAgents {
  /** For http:// targets (got's `agent.http`, axios' `httpAgent`). */
  http: Agent;
  /** For https:// targets (got's `agent.https`, axios' `httpsAgent`). */
  https: Agent;
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
    const agent = new SocksProxyAgent(credentialedUrl(proxy, scheme));
    return { http: agent, https: agent };
  }
  const url = credentialedUrl(proxy);
  return { http: new HttpProxyAgent(url), https: new HttpsProxyAgent(url) };
}
