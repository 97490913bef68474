// The public surface of @leasehold/http: what users may rely on. A change here is a change of
// the package's contract (and of its README), never a side effect.
import { expect, it } from 'vitest';
import * as http from './index.js';

it('exports exactly its public API', () => {
  expect(Object.keys(http).sort()).toEqual([
    'AttemptsExhaustedError',
    'DEFAULT_MAX_BODY_BYTES',
    'FormData',
    'Headers',
    'LeasedFetchOptionsSchema',
    'Request',
    'Response',
    'ResponseTooLargeError',
    'SiteResponseError',
    'SocksProxyError',
    'UnsupportedProxyError',
    'closeSharedDispatchers',
    'fetch',
    'leasedFetch',
    'proxyAgents',
    'proxyDispatcher',
    'toPlaywrightProxy',
  ]);
});
