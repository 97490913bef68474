import {
  type AcquireOptions,
  NoProxyAvailableError,
  parseInput,
  type RetryOptions,
  RetryOptionsSchema,
} from '@leasehold/core';
import type { ManagerContext } from '../managerContext.js';
import type { Lease } from '../types.js';
import { acquireProxy } from './acquire.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** acquireProxy, retried with exponential backoff while nothing is available. */
export async function acquireProxyWithRetry(
  ctx: ManagerContext,
  options: AcquireOptions & RetryOptions,
): Promise<Lease | null> {
  const { maxAttempts, backoffSeconds, backoffMultiplier, maxBackoffSeconds, ...acquire } = options;
  const retry = parseInput(
    RetryOptionsSchema,
    { maxAttempts, backoffSeconds, backoffMultiplier, maxBackoffSeconds },
    'options',
  );
  let delay = retry.backoffSeconds;
  for (let attempt = 1; ; attempt++) {
    const lease = await acquireProxy(ctx, acquire);
    if (lease !== null || attempt >= retry.maxAttempts) return lease;
    await sleep(Math.min(delay, retry.maxBackoffSeconds) * 1000);
    ctx.throwIfClosed();
    delay *= retry.backoffMultiplier;
  }
}

/** Run `fn` with a lease taken by `acquire`; `release` it on return or throw. */
export async function withAcquiredLease<T>(
  pool: string,
  acquire: Promise<Lease | null>,
  release: (lease: Lease) => Promise<unknown>,
  fn: (lease: Lease) => Promise<T>,
): Promise<T> {
  const lease = await acquire;
  if (lease === null) throw new NoProxyAvailableError(pool);
  try {
    return await fn(lease);
  } finally {
    await release(lease);
  }
}
