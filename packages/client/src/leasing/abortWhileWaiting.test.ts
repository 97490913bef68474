// acquireProxy's `signal` ends a wait for capacity at once: the acquire rejects with the
// signal's reason, holds no lease (one granted as the abort came is released) and leaves the
// line, so the next release wakes the next waiter instead of a caller who gave up.

import { ValidationError } from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it, vi } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

describeEachTarget('acquireProxy with a signal', (ctx) => {
  async function capOnePool() {
    const fixture = await freshPool(ctx);
    const [record] = await fixture.manager.addProxies(fixture.pool, [
      { url: proxyUrls(1)[0] as string, maxConcurrency: 1 },
    ]);
    return { ...fixture, proxyId: record?.id as string };
  }

  /** A manager on a connection of its own, named so waitForAttempt can see its commands. */
  async function namedManager(prefix: string) {
    const name = `aborter-${prefix}`;
    const redis = await ctx.newClient({ connectionName: name });
    return { name, manager: new ProxyManager({ redis, prefix }) };
  }

  /** Resolves once the named connection ran an acquire (FCALL): from then on it waits. */
  async function waitForAttempt(name: string) {
    const client = ctx.redis();
    const nodes = 'nodes' in client ? client.nodes('master') : [client];
    const attempt = new RegExp(`name=${name} [^\\n]*cmd=fcall`);
    await vi.waitFor(
      async () => {
        const lists = await Promise.all(nodes.map((n) => n.client('LIST') as Promise<string>));
        expect(lists.join('\n')).toMatch(attempt);
      },
      { timeout: 5_000, interval: 10 },
    );
  }

  it('an abort while waiting rejects with an AbortError at once, and the waiter leaves the line', async () => {
    const { manager, pool, prefix } = await capOnePool();
    const held = (await manager.acquireProxy({ pool })) as Lease;
    const { name, manager: waiters } = await namedManager(prefix);
    const controller = new AbortController();
    const aborting = waiters.acquireProxy({ pool, waitMs: 3000, signal: controller.signal });
    await waitForAttempt(name);
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
