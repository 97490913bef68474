import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

// Circuit verdicts (README, "States, outcomes and defaults"): outcomes of leases granted before the circuit
// opened count in health but never move the circuit; in half-open only the probe decides.
// Cooldowns end by moving the pool's clock: long enough that none ends early on a slow machine.
useTestClockLibrary();
const fail = { ok: false as const, error: 'network' as const, message: 'ECONNRESET' };
const ok = { ok: true as const, latencyMs: 100 };

describeEachTarget('circuit verdicts: stragglers never move the circuit', (ctx) => {
  /** One uncapped proxy with `n` leases out; a 10 s cooldown. */
  async function leasesOut(n: number) {
    const fixture = await freshPool(ctx, {
      failureThreshold: 3,
      cooldown: { baseSeconds: 10, maxSeconds: 100 },
    });
    const [proxy] = await fixture.manager.addProxies(fixture.pool, [proxyUrls(1)[0] as string]);
    const leases: Lease[] = [];
    for (let i = 0; i < n; i++) {
      leases.push((await fixture.manager.acquireProxy({ pool: fixture.pool })) as Lease);
    }
    return { ...fixture, proxyId: proxy?.id as string, leases };
  }

  async function openWithThreeFailures(n: number) {
    const fixture = await leasesOut(n);
    const { manager, pool, proxyId, leases } = fixture;
    for (const lease of leases.slice(0, 3)) await manager.releaseProxy(lease, fail);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ circuit: 'open' });
    return { ...fixture, stragglers: leases.slice(3) };
  }

  /** After the cooldown, the next acquire takes the half-open circuit's one probe. */
  async function probe(fixture: Awaited<ReturnType<typeof openWithThreeFailures>>) {
    await TestClock.forPool(ctx.redis(), fixture.manager.keys, fixture.pool).advance(10_000);
    const lease = (await fixture.manager.acquireProxy({ pool: fixture.pool })) as Lease;
    expect(lease?.proxyId).toBe(fixture.proxyId);
    expect(await fixture.manager.getProxyState(fixture.pool, fixture.proxyId)).toMatchObject({
      circuit: 'half-open',
    });
    return lease;
  }

  it('a 4th lease out while 3 failures open the circuit: its late success leaves it open', async () => {
    const { manager, pool, proxyId, stragglers } = await openWithThreeFailures(4);
    const before = await manager.getProxyHealth(pool, proxyId);
    await manager.releaseProxy(stragglers[0] as Lease, ok);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      circuit: 'open',
      consecutiveFailures: 3,
    });
    expect(await manager.acquireProxy({ pool })).toBeNull();
    // It still counts in the proxy's health.
    const after = await manager.getProxyHealth(pool, proxyId);
    expect(after.successes).toBe(before.successes + 1);
  });

  it("in half-open a straggler's failure does not reopen it; the probe's success closes it", async () => {
    const fixture = await openWithThreeFailures(4);
    const { manager, pool, proxyId, stragglers } = fixture;
    const probeLease = await probe(fixture);
    await manager.releaseProxy(stragglers[0] as Lease, fail);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ circuit: 'half-open' });
    await manager.releaseProxy(probeLease, ok);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({
      circuit: 'closed',
      consecutiveFailures: 0,
    });
  });

  it("in half-open a straggler's success does not close it; the probe's failure reopens it", async () => {
    const fixture = await openWithThreeFailures(4);
    const { manager, pool, proxyId, stragglers } = fixture;
    const probeLease = await probe(fixture);
    await manager.recordResult(stragglers[0] as Lease, ok);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ circuit: 'half-open' });
    await manager.releaseProxy(probeLease, fail);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ circuit: 'open', opens: 2 });
    // While open, a straggler's failure changes nothing either.
    await manager.releaseProxy(stragglers[0] as Lease, fail);
    expect(await manager.getProxyState(pool, proxyId)).toMatchObject({ circuit: 'open', opens: 2 });
  });
});
