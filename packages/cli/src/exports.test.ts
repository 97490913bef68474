import { describe, expect, it } from 'vitest';
import * as cli from './index.js';

// What @leasehold/cli exports is what users may rely on: a change here is a change of its API.
describe('@leasehold/cli exports', () => {
  it('are exactly these', () => {
    expect(Object.keys(cli).sort()).toEqual([
      'parseProxyList',
      'runCli',
      'runDemo',
      'startDemoProxy',
      'startDemoSite',
      'toProxyInputs',
    ]);
  });
});
