import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

describeEachTarget('ProxyManager selectors and filters', (ctx) => {
  it('round-robin: several clients together walk the pool in order, wrapping', async () => {
    const { prefix, pool, manager } = await freshPool(ctx, { selector: 'round-robin' });
    const records = await manager.addProxies(pool, proxyUrls(4));
    const clients = await Promise.all(
      Array.from(
        { length: 3 },
        async () => new ProxyManager({ redis: await ctx.newClient(), prefix }),
      ),
    );
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      const lease = await clients[i % 3]?.acquireProxy({ pool });
      seen.push(lease?.proxyId as string);
    }
    const ids = records.map((r) => r.id);
    expect(seen).toEqual([...ids, ...ids, ...ids]);
  });

  it('round-robin: a proxy released late comes back at its place in the rotation', async () => {
    const { pool, manager } = await freshPool(ctx, { selector: 'round-robin' });
    const ids = (
      await manager.addProxies(
        pool,
        proxyUrls(3).map((url) => ({ url, maxConcurrency: 1 })),
      )
    ).map((r) => r.id);
    const a = await manager.acquireProxy({ pool });
    const b = await manager.acquireProxy({ pool });
    expect([a?.proxyId, b?.proxyId]).toEqual([ids[0], ids[1]]);
    await manager.releaseProxy(b as Lease);
    await manager.releaseProxy(a as Lease);
    // ids[2] was never used, then ids[0] (used first), then ids[1].
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await manager.acquireProxy({ pool }))?.proxyId);
    expect(order).toEqual([ids[2], ids[0], ids[1]]);
  });

  it('least-used picks the idle proxy', async () => {
    const { pool, manager } = await freshPool(ctx);
    const ids = (await manager.addProxies(pool, proxyUrls(3))).map((r) => r.id);
    // Load proxies 0 and 2 with leases, leave 1 idle.
    for (const id of [ids[0], ids[0], ids[2]]) {
      await manager.acquireProxy({
        pool,
        filters: { exclude: ids.filter((x) => x !== id) as string[] },
      });
    }
    const lease = await manager.acquireProxy({ pool, selector: 'least-used' });
    expect(lease?.proxyId).toBe(ids[1]);
    // Now 0 has 2, 1 has 1, 2 has 1: the next least-used is 1 or 2, never 0.
    const next = await manager.acquireProxy({ pool, selector: 'least-used' });
    expect([ids[1], ids[2]]).toContain(next?.proxyId);
  });

  it('first-available always takes the earliest-added proxy with room', async () => {
    const { pool, manager } = await freshPool(ctx);
    const ids = (
      await manager.addProxies(
        pool,
        proxyUrls(3).map((url) => ({ url, maxConcurrency: 2 })),
      )
    ).map((r) => r.id);
    const got = [];
    for (let i = 0; i < 5; i++)
      got.push((await manager.acquireProxy({ pool, selector: 'first-available' }))?.proxyId);
    expect(got).toEqual([ids[0], ids[0], ids[1], ids[1], ids[2]]);
  });

  it('filters by labels, tags, allOf, anyOf, noneOf and exclude', async () => {
    const { pool, manager } = await freshPool(ctx);
    const r = await manager.addProxies(pool, [
      {
        url: 'http://10.0.1.1:80',
        labels: { country: 'AR', city: 'Rosario', source: 'oxylabs' },
        tags: ['residential'],
      },
      {
        url: 'http://10.0.1.2:80',
        labels: { country: 'AR', city: 'Cordoba', source: 'brightdata' },
        tags: ['datacenter'],
      },
      {
        url: 'http://10.0.1.3:80',
        labels: { country: 'BR', city: 'Recife', source: 'oxylabs', asn: 7018 },
        tags: ['residential', 'mobile'],
      },
      { url: 'http://10.0.1.4:80', labels: { country: 'CL', isp: 'movistar' }, tags: [] },
    ]);
    const ids = r.map((p) => p.id);
    const matches = async (filters: Parameters<ProxyManager['acquireProxy']>[0]['filters']) => {
      // Leases of cap-less proxies do not change what matches: collect every distinct hit.
      const found = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const lease = await manager.acquireProxy({ pool, filters });
        if (lease) {
          found.add(lease.proxyId);
          await manager.releaseProxy(lease);
        }
      }
      return [...found].map((id) => ids.indexOf(id)).sort();
    };
    expect(await matches({ country: 'AR' })).toEqual([0, 1]);
    expect(await matches({ tags: ['residential'] })).toEqual([0, 2]);
    expect(await matches({ tags: ['residential', 'mobile'] })).toEqual([2]);
    expect(await matches({ asn: '7018' })).toEqual([2]);
    expect(await matches({ country: 'AR', source: 'oxylabs' })).toEqual([0]);
    expect(await matches({ allOf: [{ source: 'oxylabs' }, { tags: ['residential'] }] })).toEqual([
      0, 2,
    ]);
    expect(await matches({ anyOf: [{ city: 'Cordoba' }, { isp: 'movistar' }] })).toEqual([1, 3]);
    expect(await matches({ noneOf: [{ country: 'AR' }, { tags: ['mobile'] }] })).toEqual([3]);
    expect(await matches({ source: 'oxylabs', noneOf: [{ country: 'BR' }] })).toEqual([0]);
    expect(
      await matches({
        anyOf: [{ country: 'AR' }, { country: 'BR' }],
        noneOf: [{ tags: ['datacenter'] }],
      }),
    ).toEqual([0, 2]);
    expect(await matches({ exclude: [ids[0] as string, ids[1] as string] })).toEqual([2, 3]);
    expect(await matches({ country: 'XX' })).toEqual([]);
    expect(await matches({ country: 'AR', tags: ['mobile'] })).toEqual([]);
  });

  it('a filtered pick takes the best match whether it ranks a few candidates or a whole drive set', async () => {
    const { pool, manager } = await freshPool(ctx, { selector: 'first-available' });
    // 30 proxies in Argentina (a drive set searched exactly: at most 32); the last 5 in Rosario.
    const ids = (
      await manager.addProxies(
        pool,
        proxyUrls(30).map((url, i) => ({
          url,
          maxConcurrency: 1,
          labels: { country: 'AR', city: i >= 25 ? 'Rosario' : 'Cordoba' },
        })),
      )
    ).map((r) => r.id);
    const rosario = ids.slice(25);
    const takeAll = async (filters: Parameters<typeof manager.acquireProxy>[0]['filters']) => {
      const leases: Lease[] = [];
      for (;;) {
        const lease = await manager.acquireProxy({ pool, filters });
        if (lease === null) return leases;
        leases.push(lease);
      }
    };
    // Drive set of 5 (ranked by selection): insertion order, then nothing left.
    let leases = await takeAll({ city: 'Rosario' });
    expect(leases.map((l) => l.proxyId)).toEqual(rosario);
    for (const lease of leases) await manager.releaseProxy(lease);
    // Drive set of 30 (ranked by a sort) that 25 members fail: the same order.
    leases = await takeAll({ country: 'AR', noneOf: [{ city: 'Cordoba' }] });
    expect(leases.map((l) => l.proxyId)).toEqual(rosario);
  });

  it('filters stay correct on a large pool on every search path', async () => {
    const { pool, manager } = await freshPool(ctx, { selector: 'round-robin' });
    // 3,000 proxies: 300 AR (a "large" label set: index scan), 5 CL (small set: set walk).
    const inputs = proxyUrls(3000).map((url, i) => ({
      url,
      maxConcurrency: 1,
      labels: { country: i % 10 === 0 ? 'AR' : i % 600 === 1 ? 'CL' : 'BR' },
    }));
    const records = await manager.addProxies(pool, inputs);
    const byCountry = (c: string) =>
      new Set(records.filter((p) => p.labels.country === c).map((p) => p.id));
    const ar = byCountry('AR');
    const cl = byCountry('CL');
    expect([ar.size, cl.size]).toEqual([300, 5]);

    // Small set: every CL proxy exactly once, then null.
    const clLeases = [];
    for (let i = 0; i < 6; i++)
      clLeases.push(await manager.acquireProxy({ pool, filters: { country: 'CL' } }));
    expect(new Set(clLeases.slice(0, 5).map((l) => l?.proxyId))).toEqual(cl);
    expect(clLeases[5]).toBeNull();

    // Large set, rare among the available (index walk exceeds its budget, then the fallback):
    // lease 299 of the 300 AR proxies, then the last one must still be found.
    const arLeases: Lease[] = [];
    for (let i = 0; i < 299; i++) {
      const lease = await manager.acquireProxy({ pool, filters: { country: 'AR' } });
      expect(lease && ar.has(lease.proxyId)).toBe(true);
      arLeases.push(lease as Lease);
    }
    const last = await manager.acquireProxy({ pool, filters: { country: 'AR' } });
    expect(last && ar.has(last.proxyId)).toBe(true);
    expect(new Set([...arLeases, last].map((l) => l?.proxyId)).size).toBe(300);
    expect(await manager.acquireProxy({ pool, filters: { country: 'AR' } })).toBeNull();

    // Negative-only filter on a big pool.
    const notBr = await manager.acquireProxy({ pool, filters: { noneOf: [{ country: 'BR' }] } });
    expect(notBr).toBeNull();
    const br = await manager.acquireProxy({
      pool,
      filters: { noneOf: [{ country: 'AR' }, { country: 'CL' }] },
    });
    expect(br && !ar.has(br.proxyId) && !cl.has(br.proxyId)).toBe(true);
  });
});
