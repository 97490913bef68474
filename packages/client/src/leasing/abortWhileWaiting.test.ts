// acquireProxy's `signal` ends a wait for capacity at once: the acquire rejects with the
// signal's reason, holds no lease (one granted as the abort came is released) and leaves the
// line, so the next release wakes the next waiter instead of a caller who gave up.

import { ValidationError } from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, namedManager, proxyUrls, waitForAttempt } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

describeEachTarget('acquireProxy with a signal', (ctx) => {
  async function capOnePool() {
    const fixture = await freshPool(ctx);
    const [record] = await fixture.manager.addProxies(fixture.pool, [
      { url: proxyUrls(1)[0] as string, maxConcurrency: 1 },
    ]);
    return { ...fixture, proxyId: record?.id as string };
  }

  it('an abort while waiting rejects with an AbortError at once, and the waiter leaves the line', async () => {
    const { manager, pool, prefix } = await capOnePool();
    const held = (await manager.acquireProxy({ pool })) as Lease;
    const { name, manager: waiters } = await namedManager(ctx, 'aborter', prefix);
    const controller = new AbortController();
    const aborting = waiters.acquireProxy({ pool, waitMs: 3000, signal: controller.signal });
    await waitForAttempt(ctx, name);
    // Behind it in line, in the same process: the release below must wake this one.
    const patient = waiters.acquireProxy({ pool, waitMs: 3000 });
    const abortedAt = performance.now();
    controller.abort();
    await expect(aborting).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - abortedAt).toBeLessThan(500);
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);

    const releasedAt = performance.now();
    await manager.releaseProxy(held);
    const lease = await patient;
    expect(lease).not.toBeNull();
    // Woken by the release, not by the 1 s guard after a wake-up spent on the aborted waiter.
    expect(performance.now() - releasedAt).toBeLessThan(700);
    await waiters.releaseProxy(lease as Lease);
    await waiters.close();
  });

  it("rejects with the signal's reason; an aborted signal leases nothing", async () => {
    const { manager, pool, proxyId } = await capOnePool();
    const reason = new Error('shutting down');
    await expect(
      manager.acquireProxy({ pool, waitMs: 3000, signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect((await manager.getProxyState(pool, proxyId)).usageCount).toBe(0);
    await expect(manager.acquireProxy({ pool, signal: 'stop' as never })).rejects.toMatchObject({
      constructor: ValidationError,
      field: 'options.signal',
    });
  });

  it('a lease granted as the abort comes is released, not leaked', async () => {
    const { manager, pool, proxyId } = await capOnePool();
    const controller = new AbortController();
    // The acquire's FCALL is on the wire when the abort comes: Redis grants, the client gives back.
    const acquiring = manager.acquireProxy({ pool, waitMs: 3000, signal: controller.signal });
    controller.abort();
    await expect(acquiring).rejects.toMatchObject({ name: 'AbortError' });
    expect((await manager.getProxyState(pool, proxyId)).usageCount).toBe(1);
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(0);
  });
});
