// Public API of @leasehold/http. Every export is listed by name on purpose.

// undici's own fetch (and its classes): a proxyDispatcher is an undici 7 dispatcher, and only
// the fetch of the same undici is sure to accept it. Node's global fetch bundles another
// undici version whose dispatcher interface may differ (a newer npm undici breaks it).
export { type Dispatcher, FormData, fetch, Headers, Request, Response } from 'undici';
export { type ProxyAgents, proxyAgents } from './agents.js';
export {
  closeSharedDispatchers,
  type ProxyDispatcherOptions,
  proxyDispatcher,
} from './dispatcher.js';
export {
  AttemptsExhaustedError,
  ResponseTooLargeError,
  SiteResponseError,
  UnsupportedProxyError,
} from './errors.js';
export {
  type LeasedResponse,
  type LeaseManager,
  leasedFetch,
} from './leasedFetch.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  type LeasedFetchOptions,
  LeasedFetchOptionsSchema,
} from './leasedFetchOptions.js';
export type { LeaseLike } from './leaseProxy.js';
export { type PlaywrightProxy, toPlaywrightProxy } from './playwright.js';
export { SocksProxyError } from './socksConnector.js';
