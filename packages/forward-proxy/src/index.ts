// Public API of @leasehold/forward-proxy. Every export is listed by name on purpose.
export { type ProxyCredentials, proxyCredentials } from './credentials.js';
export { forwardRequest } from './forward.js';
export { endToEndHeaders } from './headers.js';
export {
  type ForwardProxy,
  type ForwardProxyOptions,
  type ForwardProxyStats,
  type ProxiedRequest,
  type ProxyVerdict,
  startForwardProxy,
} from './server.js';
export { answerConnect, connectTarget, openTunnel } from './tunnel.js';
