// The public surface of @leasehold/gateway: what users may rely on. A change here is a change
// of the package's contract (and of its README), never a side effect.
import { expect, it } from 'vitest';
import * as gateway from './index.js';

it('exports exactly its public API', () => {
  expect(Object.keys(gateway).sort()).toEqual([
    'GatewayTokenRequiredError',
    'UsernameError',
    'parseUsername',
    'startGateway',
    'validateGatewayOptions',
  ]);
});
