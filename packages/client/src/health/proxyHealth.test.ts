import { classifyOutcome } from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

type Outcome = Parameters<ProxyManager['releaseProxy']>[1];

/** Lease the given proxy (and only it) and release it with `outcome`, `times` times. */
async function report(
  manager: ProxyManager,
  pool: string,
  proxyId: string,
  ids: string[],
  outcome: Outcome,
  times = 1,
) {
  for (let i = 0; i < times; i++) {
    const lease = await manager.acquireProxy({
      pool,
      filters: { exclude: ids.filter((id) => id !== proxyId) },
    });
    expect(lease?.proxyId).toBe(proxyId);
    await manager.releaseProxy(lease as Lease, outcome);
  }
}

describeEachTarget('health scores and health-aware selectors', (ctx) => {
  it('scores follow the weights: 60% success rate, 20% recency, 20% latency', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 1000 });
    const ids = (await manager.addProxies(pool, proxyUrls(4))).map((p) => p.id);
    const [fastGood, slowGood, flaky, fresh] = ids as [string, string, string, string];
    await report(manager, pool, fastGood, ids, { ok: true, latencyMs: 100 }, 10);
    await report(manager, pool, slowGood, ids, { ok: true, latencyMs: 5000 }, 10);
    await report(manager, pool, flaky, ids, { ok: true, latencyMs: 100 }, 5);
    await report(manager, pool, flaky, ids, { ok: false, error: 'timeout', latencyMs: 100 }, 5);

    const health = new Map((await manager.getAllProxyHealth(pool)).map((h) => [h.proxyId, h]));
    // recency ≈ 1 (success just now); latency term = 1 / (1 + mean seconds).
    expect(health.get(fastGood)?.score).toBeCloseTo(0.6 * (11 / 12) + 0.2 + 0.2 / 1.1, 3);
    expect(health.get(slowGood)?.score).toBeCloseTo(0.6 * (11 / 12) + 0.2 + 0.2 / 6, 3);
    expect(health.get(flaky)?.score).toBeCloseTo(0.6 * (6 / 12) + 0.2 + 0.2 / 1.1, 3);
    // Unknowns are neutral: 0.6·½ + 0.2·½ + 0.2·½.
    expect(health.get(fresh)?.score).toBeCloseTo(0.5, 6);
    expect(health.get(flaky)).toMatchObject({
      successRate: 0.5,
      failuresByCategory: { timeout: 5 },
      requests: 10,
    });

    // healthiest follows the same order, whatever the other selectors would pick.
    const order: string[] = [];
    const held: Lease[] = [];
    for (let i = 0; i < 4; i++) {
      const lease = (await manager.acquireProxy({
        pool,
        selector: 'healthiest',
        filters: { exclude: order },
      })) as Lease;
      order.push(lease.proxyId);
      held.push(lease);
    }
    expect(order).toEqual([fastGood, slowGood, flaky, fresh]);
  });

  it('an open circuit weighs heavily on the score', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 2 });
    const ids = (await manager.addProxies(pool, proxyUrls(1))).map((p) => p.id);
    await report(manager, pool, ids[0] as string, ids, { ok: true, latencyMs: 100 }, 20);
    const before = (await manager.getProxyHealth(pool, ids[0] as string)).score;
    await report(
      manager,
      pool,
      ids[0] as string,
      ids,
      { ok: false, error: 'server', statusCode: 502 },
      2,
    );
    const after = await manager.getProxyHealth(pool, ids[0] as string);
    expect(after.circuit).toBe('open');
    expect(after.score).toBeLessThan(before * 0.1);
  });

  it('lowest-latency measures unmeasured proxies first, then prefers the fastest', async () => {
    const { manager, pool } = await freshPool(ctx);
    const ids = (await manager.addProxies(pool, proxyUrls(3))).map((p) => p.id);
    await report(manager, pool, ids[0] as string, ids, { ok: true, latencyMs: 900 });
    await report(manager, pool, ids[1] as string, ids, { ok: true, latencyMs: 120 });
    expect((await manager.acquireProxy({ pool, selector: 'lowest-latency' }))?.proxyId).toBe(
      ids[2],
    );
    await report(manager, pool, ids[2] as string, ids, { ok: true, latencyMs: 400 });
    const picks = [];
    for (let i = 0; i < 3; i++)
      picks.push((await manager.acquireProxy({ pool, selector: 'lowest-latency' }))?.proxyId);
    // Leases without a cap do not change latency: the fastest keeps winning.
    expect(picks).toEqual([ids[1], ids[1], ids[1]]);
  });

  it('weighted-random draws in proportion to health', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 1000 });
    const ids = (await manager.addProxies(pool, proxyUrls(2))).map((p) => p.id);
    await report(manager, pool, ids[0] as string, ids, { ok: true, latencyMs: 100 }, 10);
    await report(manager, pool, ids[1] as string, ids, { ok: false, error: 'network' }, 20);
    const [good, poor] = await Promise.all(ids.map((id) => manager.getProxyHealth(pool, id)));
    const expected = (good?.score as number) / ((good?.score as number) + (poor?.score as number));
    let goodPicks = 0;
    const draws = 400;
    for (let i = 0; i < draws; i++) {
      const lease = (await manager.acquireProxy({ pool, selector: 'weighted-random' })) as Lease;
      if (lease.proxyId === ids[0]) goodPicks++;
      await manager.releaseProxy(lease);
    }
    // Binomial(400, ~0.88): ± 0.08 is more than 4 standard deviations.
    expect(goodPicks / draws).toBeGreaterThan(expected - 0.08);
    expect(goodPicks / draws).toBeLessThan(Math.min(1, expected + 0.08));
    expect(goodPicks).toBeLessThan(draws);
  });

  it('weighted-random honours filters, even sparse ones', async () => {
    const { manager, pool } = await freshPool(ctx);
    const inputs = proxyUrls(300).map((url, i) => ({
      url,
      labels: { country: i === 123 ? 'UY' : 'AR' },
    }));
    const records = await manager.addProxies(pool, inputs);
    const uy = records[123]?.id;
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await manager.acquireProxy({
            pool,
            selector: 'weighted-random',
            filters: { country: 'UY' },
          })
        )?.proxyId,
      ).toBe(uy);
    }
    const notUy = await manager.acquireProxy({
      pool,
      selector: 'weighted-random',
      filters: { noneOf: [{ country: 'UY' }] },
    });
    expect(notUy?.proxyId).not.toBe(uy);
  });

  it('classifyOutcome feeds releaseProxy directly', async () => {
    const { manager, pool } = await freshPool(ctx);
    const ids = (await manager.addProxies(pool, proxyUrls(1))).map((p) => p.id);
    const lease = (await manager.acquireProxy({ pool })) as Lease;
    await manager.releaseProxy(lease, classifyOutcome({ statusCode: 429, retryAfter: '2' }));
    const [entry] = await manager.getErrorLog(pool, { limit: 1 });
    expect(entry).toMatchObject({ category: 'rate_limit', statusCode: 429 });
    expect((await manager.getProxyState(pool, ids[0] as string)).rateLimitedUntil).toBe(
      (entry?.at as number) + 2000,
    );
  });

  it('healthIndexes: exact healthiest / lowest-latency on any pool size, built and dropped on toggle', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 1000 });
    const ids = (await manager.addProxies(pool, proxyUrls(40))).map((p) => p.id);
    const redis = ctx.redis();
    const keys = manager.keys.poolKeys(pool);
    expect(await redis.exists(keys.availableByHealth, keys.availableByLatency)).toBe(0);
    // One proxy stands out on each measure; the other 39 stay neutral.
    await report(manager, pool, ids[17] as string, ids, { ok: true, latencyMs: 40 }, 5);
    await report(manager, pool, ids[29] as string, ids, { ok: true, latencyMs: 20 });
    await report(manager, pool, ids[29] as string, ids, { ok: false, error: 'server' }, 3);

    await manager.upsertPool({ name: pool, failureThreshold: 1000, healthIndexes: true });
    expect(await redis.zcard(keys.availableByHealth)).toBe(40);
    expect(await redis.zcard(keys.availableByLatency)).toBe(40);
    expect((await manager.getPool(pool))?.healthIndexes).toBe(true);
    expect((await manager.acquireProxy({ pool, selector: 'healthiest' }))?.proxyId).toBe(ids[17]);
    // Unmeasured proxies come first for lowest-latency; exclude them to see the fastest.
    const measured = [ids[17], ids[29]] as string[];
    const unmeasured = ids.filter((id) => !measured.includes(id));
    expect(
      (
        await manager.acquireProxy({
          pool,
          selector: 'lowest-latency',
          filters: { exclude: unmeasured },
        })
      )?.proxyId,
    ).toBe(ids[29]);

    await manager.upsertPool({ name: pool, failureThreshold: 1000, healthIndexes: false });
    expect(await redis.exists(keys.availableByHealth, keys.availableByLatency)).toBe(0);
    // Without the indexes the selectors still work (best of a sample).
    expect(await manager.acquireProxy({ pool, selector: 'healthiest' })).not.toBeNull();
  });
});
