// What a TypeScript user of the published packages writes, type-checked by
// scripts/check-tarballs.sh in the npm project that installed the tarballs (strict, library
// checks on): every package's exported typings resolve with only its declared dependencies.

import { parseProxyList } from '@leasehold/cli';
import { type Lease, ProxyManager, SelectorStrategy } from '@leasehold/client';
import { type ProxyInput, ValidationError } from '@leasehold/core';
import { type LeaseholdCrawlee, leaseholdForCrawlee } from '@leasehold/crawlee';
import {
  fetch,
  type LeasedResponse,
  leasedFetch,
  type PlaywrightProxy,
  proxyAgents,
  proxyDispatcher,
  toPlaywrightProxy,
} from '@leasehold/http';
import { ErrorLogStore, startWorker, type WorkerHandle } from '@leasehold/worker';
import { Redis } from 'ioredis';

const manager = new ProxyManager({ redis: new Redis(), prefix: 'lh' });
const lease: Lease | null = await manager.acquireProxy({
  pool: 'p',
  selector: SelectorStrategy.LEAST_USED,
});
const input: ProxyInput = { url: 'http://192.0.2.1:8080' };
const worker: Promise<WorkerHandle> | undefined = undefined;
const fetched: Promise<LeasedResponse> = leasedFetch(manager, 'https://example.com/', {
  pool: 'p',
  maxAttempts: 2,
  init: { headers: { accept: 'text/html' } },
});
const browserProxy: PlaywrightProxy | undefined = lease ? toPlaywrightProxy(lease) : undefined;
const viaDispatcher = lease
  ? fetch('https://example.com/', { dispatcher: proxyDispatcher(lease) })
  : undefined;
const agents = lease ? proxyAgents(lease) : undefined;

const crawlee: LeaseholdCrawlee = leaseholdForCrawlee(manager, { pool: 'p', waitMs: 5000 });

export {
  agents,
  browserProxy,
  crawlee,
  ErrorLogStore,
  fetched,
  input,
  lease,
  parseProxyList,
  startWorker,
  ValidationError,
  viaDispatcher,
  worker,
};
