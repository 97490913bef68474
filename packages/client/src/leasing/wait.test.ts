import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, namedManager, proxyUrls, waitForAttempt } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

// Expiries are reached by moving the pool's clock, not by sleeping.
useTestClockLibrary();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachTarget('waiting for capacity (waitMs)', (ctx) => {
  async function capOnePool() {
    const fixture = await freshPool(ctx);
    await fixture.manager.addProxies(fixture.pool, [
      { url: proxyUrls(1)[0] as string, maxConcurrency: 1 },
    ]);
    return fixture;
  }

  it('a waiter is woken by the release that frees capacity, not by a timer', async () => {
    const { manager, pool, prefix } = await capOnePool();
    const { name, manager: waiterManager } = await namedManager(ctx, 'waiter', prefix);
    const held = (await manager.acquireProxy({ pool })) as Lease;
    let settled = false;
    const waiting = waiterManager.acquireProxy({ pool, waitMs: 5000 }).finally(() => {
      settled = true;
    });
    await waitForAttempt(ctx, name);
    // It tried, found nothing and waits: only the release can give it a lease.
    expect(settled).toBe(false);
    const releasedAt = performance.now();
    await manager.releaseProxy(held);
    const lease = await waiting;
    const wokeAfter = performance.now() - releasedAt;
    expect(lease).not.toBeNull();
    // Well before the 1 s lost-wake-up guard could have fired: the release's message woke it
    // (loose bound: CI shares 2 cores between Redis, the cluster and the test process).
    expect(wokeAfter).toBeLessThan(700);
    await waiterManager.close();
  });

  it('times out at waitMs with null', async () => {
    const { manager, pool } = await capOnePool();
    await manager.acquireProxy({ pool });
    const started = performance.now();
    expect(await manager.acquireProxy({ pool, waitMs: 200 })).toBeNull();
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(195);
    expect(took).toBeLessThan(1000);
    await manager.close();
  });

  it('an expiry also wakes waiters (capacity reclaimed without a release)', async () => {
    const { manager, pool, prefix } = await capOnePool();
    const { name, manager: other } = await namedManager(ctx, 'waiter', prefix);
    await manager.acquireProxy({ pool, durationSeconds: 60 });
    const lease = other.acquireProxy({ pool, waitMs: 3000 });
    await waitForAttempt(ctx, name);
    await TestClock.forPool(ctx.redis(), manager.keys, pool).advance(60_000);
    // Any pool call reclaims the expired lease and publishes the freed capacity.
    await manager.getPoolStats(pool);
    expect(await lease).not.toBeNull();
    await other.close();
  });

  it('no lost wake-up when a waiter gives up: the next waiter gets the capacity', async () => {
    const { manager, pool } = await capOnePool();
    const held = (await manager.acquireProxy({ pool })) as Lease;
    const quitter = manager.acquireProxy({ pool, waitMs: 100 });
    const patient = manager.acquireProxy({ pool, waitMs: 3000 });
    expect(await quitter).toBeNull();
    const releasedAt = performance.now();
    await manager.releaseProxy(held);
    expect(await patient).not.toBeNull();
    expect(performance.now() - releasedAt).toBeLessThan(700);
    await manager.close();
  });

  it('fair enough: 50 callers on 5 slots all complete, in a few rounds each', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    await manager.addProxies(
      pool,
      proxyUrls(5).map((url) => ({ url, maxConcurrency: 1 })),
    );
    const managers = await Promise.all(
      Array.from(
        { length: 5 },
        async () => new ProxyManager({ redis: await ctx.newClient(), prefix }),
      ),
    );
    const waits: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const m = managers[i % 5] as ProxyManager;
        const started = performance.now();
        const lease = await m.acquireProxy({ pool, consumer: `c${i}`, waitMs: 20_000 });
        expect(lease).not.toBeNull();
        waits.push(performance.now() - started);
        await sleep(20);
        await m.releaseProxy(lease as Lease);
      }),
    );
    expect(waits).toHaveLength(50);
    // 50 callers, 5 slots, 20 ms each: ~10 rounds; nobody waits anywhere near the limit.
    expect(Math.max(...waits)).toBeLessThan(5000);
    expect(await manager.getPoolStats(pool)).toMatchObject({ totalLeases: 0, availableProxies: 5 });
    await Promise.all(managers.map((m) => m.close()));
  });

  it('a caller arriving while others wait queues behind them instead of barging', async () => {
    const { manager, pool } = await capOnePool();
    const held = (await manager.acquireProxy({ pool, consumer: 'a' })) as Lease;
    const order: string[] = [];
    const waiter = manager.acquireProxy({ pool, consumer: 'b', waitMs: 5000 }).then((l) => {
      order.push('b');
      return l;
    });
    await sleep(50);
    await manager.releaseProxy(held);
    // Right after its own release, `a` asks again: it must not take b's turn.
    const again = manager.acquireProxy({ pool, consumer: 'a', waitMs: 5000 }).then((l) => {
      order.push('a');
      return l;
    });
    const b = (await waiter) as Lease;
    expect(b.consumer).toBe('b');
    await sleep(30);
    expect(order).toEqual(['b']);
    await manager.releaseProxy(b);
    expect((await again)?.consumer).toBe('a');
    expect(order).toEqual(['b', 'a']);
    await manager.close();
  });
});
