import { ClientClosedError } from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// close() during a waitMs acquire settles it at once with a typed ClientClosedError, like any
// call after close(), never with ioredis' bare "Connection is closed".
describeEachTarget('close() while an acquire waits', (ctx) => {
  /** A waiter that owns its connection where it can (a URL on standalone), so close() quits it. */
  async function waiterManager(prefix: string): Promise<ProxyManager> {
    const redis = ctx.target.kind === 'standalone' ? ctx.target.url : await ctx.newClient();
    return new ProxyManager({ redis, prefix });
  }

  async function fullPool() {
    const fixture = await freshPool(ctx);
    await fixture.manager.addProxies(fixture.pool, [
      { url: proxyUrls(1)[0] as string, maxConcurrency: 1 },
    ]);
    await fixture.manager.acquireProxy({ pool: fixture.pool });
    return fixture;
  }

  const settle = (p: Promise<unknown>) =>
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );

  it('a waiting acquire settles promptly with ClientClosedError; later calls throw it too', async () => {
    const { manager, pool, prefix } = await fullPool();
    const waiter = await waiterManager(prefix);
    const waiting = settle(waiter.acquireProxy({ pool, waitMs: 10_000 }));
    await sleep(300);
    const closedAt = performance.now();
    await waiter.close();
    const outcome = await waiting;
    expect(performance.now() - closedAt).toBeLessThan(1000);
    expect(outcome).toMatchObject({ error: expect.any(ClientClosedError) });
    expect((outcome as { error: ClientClosedError }).error).toMatchObject({
      code: 'CLIENT_CLOSED',
      field: 'manager',
    });

    await expect(waiter.acquireProxy({ pool, waitMs: 1000 })).rejects.toBeInstanceOf(
      ClientClosedError,
    );
    await expect(waiter.getPoolStats(pool)).rejects.toBeInstanceOf(ClientClosedError);
    await expect(waiter.upsertPool({ name: pool })).rejects.toBeInstanceOf(ClientClosedError);
    await waiter.close(); // twice is fine
    // The waiter took nothing: the one lease is still the first manager's.
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
    await manager.close();
  });

  it('close() in the same tick as the acquire: typed error, no subscriber left open', async () => {
    const { manager, pool, prefix } = await fullPool();
    const waiter = await waiterManager(prefix);
    const waiting = settle(waiter.acquireProxy({ pool, waitMs: 10_000 }));
    const closedAt = performance.now();
    await waiter.close();
    const outcome = await waiting;
    expect(performance.now() - closedAt).toBeLessThan(1000);
    expect(outcome).toMatchObject({ error: expect.any(ClientClosedError) });
    await manager.close();
  });
});
