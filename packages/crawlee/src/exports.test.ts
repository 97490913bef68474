// The public surface of @leasehold/crawlee: what users may rely on. A change here is a change
// of the package's contract (and of its README), never a side effect.
import { expect, it } from 'vitest';
import * as crawlee from './index.js';

it('exports exactly its public API', () => {
  expect(Object.keys(crawlee).sort()).toEqual([
    'LeaseholdCrawleeOptionsSchema',
    'LeaseholdSessions',
    'LeaseholdSessionsOptionsSchema',
    'leaseholdForCrawlee',
  ]);
});
