import { describeEachTarget, runInChildProcesses } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';

describeEachTarget('ProxyManager under concurrency', (ctx) => {
  it('20 callers on 20 connections racing for a cap-1 proxy: exactly one lease', async () => {
    const { prefix, pool, manager } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const managers = await Promise.all(
      Array.from(
        { length: 20 },
        async () => new ProxyManager({ redis: await ctx.newClient(), prefix }),
      ),
    );
    const results = await Promise.all(
      managers.map((m, i) => m.acquireProxy({ pool, consumer: `c${i}` })),
    );
    expect(results.filter((l) => l !== null)).toHaveLength(1);
    expect(await manager.getPoolStats(pool)).toMatchObject({
      totalLeases: 1,
      leasedProxies: 1,
      availableProxies: 0,
    });
  });

  it('4 OS processes × 5 callers racing for a cap-1 proxy: exactly one lease', async () => {
    const { prefix, pool, manager } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const results = await runInChildProcesses<{ pid: number; leases: unknown[] }>({
      file: new URL('../../test/acquireRace.worker.ts', import.meta.url),
      count: 4,
      payload: { target: ctx.target, prefix, pool, attempts: 5 },
    });
    expect(new Set(results.map((r) => r.pid)).size).toBe(4);
    expect(results.flatMap((r) => r.leases)).toHaveLength(1);
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
  });

  it('4 OS processes filling 10 proxies of cap 3: 30 leases, caps held, tokens unique', async () => {
    const { prefix, pool, manager } = await freshPool(ctx);
    await manager.addProxies(
      pool,
      proxyUrls(10).map((url) => ({ url, maxConcurrency: 3 })),
    );
    const results = await runInChildProcesses<{
      leases: { proxyId: string; fencingToken: number }[];
    }>({
      file: new URL('../../test/acquireRace.worker.ts', import.meta.url),
      count: 4,
      payload: { target: ctx.target, prefix, pool, attempts: 15 },
    });
    const leases = results.flatMap((r) => r.leases);
    expect(leases).toHaveLength(30);
    const perProxy = new Map<string, number>();
    for (const l of leases) perProxy.set(l.proxyId, (perProxy.get(l.proxyId) ?? 0) + 1);
    expect([...perProxy.values()]).toEqual(Array(10).fill(3));
    expect(new Set(leases.map((l) => l.fencingToken)).size).toBe(30);
  });

  it('many callers cycling acquire/release never exceed a cap and leave exact counters', async () => {
    const { prefix, pool, manager } = await freshPool(ctx);
    const records = await manager.addProxies(
      pool,
      proxyUrls(5).map((url, i) => ({ url, maxConcurrency: 1 + (i % 2) })),
    );
    const caps = new Map(records.map((r) => [r.id, r.maxConcurrency ?? 0]));
    const managers = await Promise.all(
      Array.from(
        { length: 12 },
        async () => new ProxyManager({ redis: await ctx.newClient(), prefix }),
      ),
    );
    const holding = new Map<string, number>();
    let over = 0;
    let cycles = 0;
    await Promise.all(
      managers.map(async (m) => {
        for (let i = 0; i < 40; i++) {
          const lease = await m.acquireProxy({
            pool,
            selector: i % 2 ? 'least-used' : 'round-robin',
          });
          if (!lease) continue;
          const now = (holding.get(lease.proxyId) ?? 0) + 1;
          holding.set(lease.proxyId, now);
          if (now > (caps.get(lease.proxyId) ?? 0)) over++;
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          holding.set(lease.proxyId, (holding.get(lease.proxyId) ?? 1) - 1);
          const released = await m.releaseProxy(lease);
          if (released.released) cycles++;
        }
      }),
    );
    expect(over).toBe(0);
    expect(cycles).toBeGreaterThan(50);
    expect(await manager.getPoolStats(pool)).toEqual({
      totalProxies: 5,
      activeProxies: 5,
      availableProxies: 5,
      leasedProxies: 0,
      totalLeases: 0,
      openCircuits: 0,
      liveSessions: 0,
    });
    expect((await manager.listProxies(pool)).every((p) => p.activeLeases === 0)).toBe(true);
  });
});
