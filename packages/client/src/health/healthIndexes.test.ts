import { luaScripts } from '@leasehold/core/internal';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { proxyUrls } from '../../test/testSupport.js';
import { ManagerContext } from '../managerContext.js';
import { ProxyManager } from '../proxyManager.js';
import { buildHealthIndexes } from './healthIndexes.js';

// Turning healthIndexes on never walks the whole pool in one script call: upsertPool marks
// the indexes `building` and fills them in bounded batches.
describeEachTarget('healthIndexes built in bounded batches', (ctx) => {
  const N = 3000;
  const BATCH = 100;

  async function poolWithVariedHealth(prefix: string) {
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'p' });
    await manager.addProxies('p', proxyUrls(N));
    for (let i = 0; i < 12; i++) {
      const lease = await manager.acquireProxy({ pool: 'p', selector: 'round-robin' });
      await manager.releaseProxy(
        lease as NonNullable<typeof lease>,
        i % 3 === 0
          ? { ok: false, error: 'timeout', latencyMs: 900 + i }
          : { ok: true, latencyMs: 40 * (i + 1) },
      );
    }
    return manager;
  }

  /** Both indexes as one call over the whole pool would build them (the old upsertPool). */
  async function oneShotIndexes(manager: ProxyManager) {
    const keys = manager.keys.poolKeys('p');
    const ids = await ctx.redis().zrange(keys.availableByOrder, 0, -1);
    const pipeline = ctx.redis().pipeline();
    for (const id of ids)
      pipeline.hmget(manager.keys.proxy('p', id), 'healthScore', 'latencySumMs', 'latencyCount');
    const fields = ((await pipeline.exec()) ?? []).map(([, f]) => f as (string | null)[]);
    const health = new Map<string, number>();
    const latency = new Map<string, number>();
    ids.forEach((id, i) => {
      const [score, sum, count] = fields[i] as (string | null)[];
      health.set(id, -(score === null ? 0.5 : Number(score)));
      latency.set(id, Number(count ?? 0) > 0 ? Number(sum) / Number(count) : 0);
    });
    return { health, latency };
  }

  async function builtIndexes(manager: ProxyManager) {
    const keys = manager.keys.poolKeys('p');
    const read = async (key: string) => {
      const flat = await ctx.redis().zrange(key, 0, -1, 'WITHSCORES');
      const out = new Map<string, number>();
      for (let i = 0; i < flat.length; i += 2) out.set(flat[i] as string, Number(flat[i + 1]));
      return out;
    };
    return {
      health: await read(keys.availableByHealth),
      latency: await read(keys.availableByLatency),
    };
  }

  const indexState = (manager: ProxyManager) =>
    ctx.redis().hget(manager.keys.poolKeys('p').pool, 'healthIndexes');

  it('batches stay within the limit, the pool keeps working meanwhile, the result equals a one-shot build', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = await poolWithVariedHealth(prefix);
    const plumbing = new ManagerContext({
      redis: ctx.redis(),
      prefix,
      reclaimBatchSize: 100,
      healthIndexBatchSize: BATCH,
      connections: 1,
      onListenerError: () => {},
    });
    // What upsertPool({ healthIndexes: true }) does before its batches: mark, walk nothing.
    await plumbing.runPoolScript(luaScripts.upsertPool, 'p', ['p', 1, 'healthIndexes', 1]);
    expect(await indexState(manager)).toBe('building');
    expect((await manager.getPool('p'))?.healthIndexes).toBe(true);
    for (let i = 0; i < 3; i++) {
      const reply = await plumbing.runPoolScript(luaScripts.buildHealthIndexes, 'p', [
        plumbing.prefix('p'),
        BATCH,
      ]);
      expect(reply).toEqual([1, BATCH, 0]);
    }

    // While building, the health selectors sample, and every change lands in the indexes:
    // behind the cursor (already indexed) and ahead of it.
    const ids = (await manager.listProxies('p', { limit: N })).map((r) => r.id);
    for (const selector of ['healthiest', 'lowest-latency', 'weighted-random'] as const) {
      const lease = await manager.acquireProxy({ pool: 'p', selector });
      expect(lease).not.toBeNull();
      await manager.releaseProxy(lease as NonNullable<typeof lease>, { ok: true, latencyMs: 7 });
    }
    await manager.transitionProxyState('p', ids[20] as string, 'disabled', 'behind the cursor');
    await manager.transitionProxyState('p', ids[2000] as string, 'disabled', 'ahead of it');

    const perCall = await buildHealthIndexes(plumbing, 'p', BATCH);
    expect(Math.max(...perCall)).toBeLessThanOrEqual(BATCH);
    expect(perCall.length).toBeGreaterThanOrEqual(Math.ceil((N - 3 * BATCH - 3) / BATCH));
    expect(await indexState(manager)).toBe('1');

    const built = await builtIndexes(manager);
    expect(built.health.size).toBe(N - 2); // the two disabled ones are out
    expect(built).toEqual(await oneShotIndexes(manager));
    expect(built.health.has(ids[20] as string)).toBe(false);
    await manager.close();
  });

  it('upsertPool drives the build to the end before it returns', async () => {
    const prefix = ctx.uniquePrefix();
    await (await poolWithVariedHealth(prefix)).close();
    const manager = new ProxyManager({
      redis: ctx.redis(),
      prefix,
      healthIndexBatchSize: BATCH,
    });
    const settings = await manager.upsertPool({ name: 'p', healthIndexes: true });
    expect(settings.healthIndexes).toBe(true);
    expect(await indexState(manager)).toBe('1');
    const built = await builtIndexes(manager);
    expect(built.health.size).toBe(N);
    expect(built).toEqual(await oneShotIndexes(manager));
    await manager.close();
  });
});
