import {
  type ProxyFilters,
  type ProxyInput,
  type SelectorStrategy,
  ValidationError,
} from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls, snapshotKeys } from '../../test/testSupport.js';
import type { ProxyManager } from '../proxyManager.js';
import type { Lease } from '../types.js';

// Filter trees (allOf / anyOf / noneOf to a bounded depth), any label name, geo radius.

/** Leases (cap 1 each) until none is left: the ids of every proxy the filter lets through. */
async function leaseAll(
  manager: ProxyManager,
  pool: string,
  filters: ProxyFilters,
  selector: SelectorStrategy = 'first-available',
  limit = 200,
): Promise<{ ids: Set<string>; leases: Lease[] }> {
  const leases: Lease[] = [];
  for (let i = 0; i < limit; i++) {
    const lease = await manager.acquireProxy({ pool, filters, selector });
    if (lease === null) break;
    leases.push(lease);
  }
  for (const lease of leases) await manager.releaseProxy(lease);
  return { ids: new Set(leases.map((l) => l.proxyId)), leases };
}

async function rejectsWritingNothing(
  ctx: { redis(): Parameters<typeof snapshotKeys>[0] },
  prefix: string,
  call: () => Promise<unknown>,
  field: string | RegExp,
): Promise<ValidationError> {
  const before = await snapshotKeys(ctx.redis(), prefix);
  expect(Object.keys(before).length).toBeGreaterThan(0);
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).field).toMatch(field);
  expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
  return error as ValidationError;
}

/** A point `km` north of (lat, lon) on Redis GEO's sphere. */
const EARTH_RADIUS_KM = 6372.797560856;
function north(lat: number, lon: number, km: number) {
  return { latitude: lat + ((km / EARTH_RADIUS_KM) * 180) / Math.PI, longitude: lon };
}
const BA = { latitude: -34.6037, longitude: -58.3816 };

describeEachTarget('filter trees, any label, geo radius', (ctx) => {
  it('a tree of depth 3 selects exactly its matches, with every selector', async () => {
    const { manager, pool } = await freshPool(ctx);
    const labelled = [
      { country: 'AR', city: 'X' },
      { country: 'BR', city: 'X' },
      { country: 'BR', city: 'Y' },
      { country: 'CL', city: 'Y' },
      { country: 'BR', city: 'Z' },
    ];
    const ids = (
      await manager.addProxies(
        pool,
        proxyUrls(labelled.length).map((url, i) => ({
          url,
          maxConcurrency: 1,
          labels: labelled[i],
          tags: i === 4 ? ['datacenter'] : ['residential'],
        })),
      )
    ).map((r) => r.id);
    // anyOf[1].allOf[0].noneOf[0] is three levels down.
    const filters: ProxyFilters = {
      anyOf: [
        { country: 'AR' },
        { allOf: [{ country: 'BR' }, { noneOf: [{ city: 'X' }, { tags: ['datacenter'] }] }] },
      ],
    };
    for (const selector of ['first-available', 'round-robin', 'least-used'] as const) {
      const { ids: got } = await leaseAll(manager, pool, filters, selector);
      expect(got).toEqual(new Set([ids[0], ids[2]]));
    }
    // Four levels is the bound and still works: noneOf[0].anyOf excludes Y and Z alike.
    const four: ProxyFilters = {
      anyOf: [
        { country: 'AR' },
        {
          allOf: [{ country: 'BR' }, { noneOf: [{ anyOf: [{ city: 'Y' }, { city: 'Z' }] }] }],
        },
      ],
    };
    expect((await leaseAll(manager, pool, four)).ids).toEqual(new Set([ids[0], ids[1]]));
  });

  it('deeper or larger trees and bad clauses are ValidationErrors naming the path, writing nothing', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(2));
    const acquire = (filters: unknown) => () =>
      manager.acquireProxy({ pool, filters: filters as ProxyFilters });
    const five = {
      anyOf: [
        { country: 'AR' },
        { allOf: [{ noneOf: [{ anyOf: [{ allOf: [{ city: 'X' }] }] }] }] },
      ],
    };
    const deep = await rejectsWritingNothing(
      ctx,
      prefix,
      acquire(five),
      'options.filters.anyOf[1].allOf[0].noneOf[0].anyOf[0].allOf[0]',
    );
    expect(deep.message).toContain('deeper than 4');
    // A pathological depth fails the same way, without deep recursion.
    let nested: Record<string, unknown> = { city: 'X' };
    for (let i = 0; i < 10_000; i++) nested = { anyOf: [nested] };
    await rejectsWritingNothing(ctx, prefix, acquire(nested), /^options\.filters\.anyOf\[0\]/);
    const wide = {
      anyOf: Array.from({ length: 30 }, () => ({ allOf: [{ city: 'X' }, { city: 'Y' }] })),
    };
    const large = await rejectsWritingNothing(
      ctx,
      prefix,
      acquire(wide),
      /^options\.filters\.anyOf\[\d+\]/,
    );
    expect(large.message).toContain('more than 64 clauses');
    const bad = (clause: unknown) => ({
      anyOf: [{ country: 'AR' }, { allOf: [{ country: 'BR', noneOf: [clause] }] }],
    });
    const at = 'options.filters.anyOf[1].allOf[0].noneOf[0]';
    await rejectsWritingNothing(ctx, prefix, acquire(bad({ Bad: 'x' })), `${at}.Bad`);
    await rejectsWritingNothing(ctx, prefix, acquire(bad({ city: '' })), `${at}.city`);
    // A name that objects inherit is a label like any other, and validated like one.
    await rejectsWritingNothing(
      ctx,
      prefix,
      acquire(bad({ constructor: {} })),
      `${at}.constructor`,
    );
    await rejectsWritingNothing(ctx, prefix, acquire(bad({})), at);
    await rejectsWritingNothing(ctx, prefix, acquire(bad({ exclude: [] })), `${at}.exclude`);
    await rejectsWritingNothing(ctx, prefix, acquire(bad({ anyOf: [] })), `${at}.anyOf`);
    await rejectsWritingNothing(
      ctx,
      prefix,
      acquire(bad({ near: { ...BA, radiusKm: 0 } })),
      `${at}.near.radiusKm`,
    );
    await rejectsWritingNothing(
      ctx,
      prefix,
      acquire({ near: { ...BA, radiusKm: 20_001 } }),
      'options.filters.near.radiusKm',
    );
  });

  it('any label name: stored, filtered on, carried by leases; no pair collides', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    const [colon, plain, other] = await manager.addProxies(
      pool,
      (
        [
          {
            url: proxyUrls(1, 0)[0] as string,
            labels: { a: 'b:c', provider: 'acme', tier: 'gold' },
          },
          { url: proxyUrls(1, 1)[0] as string, labels: { a: 'b', c: 'x', country: 'AR' } },
          { url: proxyUrls(1, 2)[0] as string, labels: { a_b: 'c', asn: 7 } },
        ] as ProxyInput[]
      ).map((p) => ({ ...p, maxConcurrency: 1 })),
    );
    expect(colon?.labels).toEqual({ a: 'b:c', provider: 'acme', tier: 'gold' });
    expect(other?.labels).toEqual({ a_b: 'c', asn: '7' });
    const only = async (filters: ProxyFilters) => [...(await leaseAll(manager, pool, filters)).ids];
    expect(await only({ a: 'b:c' })).toEqual([colon?.id]);
    expect(await only({ a: 'b' })).toEqual([plain?.id]);
    expect(await only({ a_b: 'c' })).toEqual([other?.id]);
    expect(await only({ anyOf: [{ a: 'b:c' }, { a_b: 'c' }] }).then((x) => x.sort())).toEqual(
      [colon?.id, other?.id].sort(),
    );
    expect(await only({ provider: 'acme', noneOf: [{ tier: 'silver' }] })).toEqual([colon?.id]);
    // One set per pair: `a` + `b:c` and `a` + `b` have keys of their own.
    const redis = ctx.redis();
    expect(await redis.smembers(`${prefix}:{${pool}}:label:a:b:c`)).toEqual([colon?.id]);
    expect(await redis.smembers(`${prefix}:{${pool}}:label:a:b`)).toEqual([plain?.id]);
    expect(await redis.smembers(`${prefix}:{${pool}}:label:a_b:c`)).toEqual([other?.id]);

    // A lease carries all labels; a proxy with only the six common names needs no JSON copy.
    const lease = (await manager.acquireProxy({ pool, filters: { tier: 'gold' } })) as Lease;
    expect(lease.proxy.labels).toEqual({ a: 'b:c', provider: 'acme', tier: 'gold' });
    await manager.releaseProxy(lease);
    const common = await manager.addProxies(pool, [
      {
        url: proxyUrls(1, 3)[0] as string,
        maxConcurrency: 1,
        labels: { country: 'AR', city: 'Rosario' },
      },
    ]);
    expect(await redis.hget(`${prefix}:{${pool}}:proxy:${common[0]?.id}`, 'moreLabels')).toBe(null);
    const commonLease = (await manager.acquireProxy({
      pool,
      filters: { city: 'Rosario' },
    })) as Lease;
    expect(commonLease.proxy.labels).toEqual({ country: 'AR', city: 'Rosario' });
    await manager.releaseProxy(commonLease);

    // Re-adding replaces the labels and their sets.
    await manager.addProxies(pool, [
      { url: proxyUrls(1, 0)[0] as string, maxConcurrency: 1, labels: { tier: 'silver' } },
    ]);
    expect(await only({ provider: 'acme' })).toEqual([]);
    expect(await redis.exists(`${prefix}:{${pool}}:label:provider:acme`)).toBe(0);
    const reread = (await manager.acquireProxy({ pool, filters: { tier: 'silver' } })) as Lease;
    expect(reread.proxy.labels).toEqual({ tier: 'silver' });
    await manager.releaseProxy(reread);

    // Names with ':' or filter words, and too many labels, are rejected before any write.
    const add = (labels: unknown) => () =>
      manager.addProxies(pool, [
        proxyUrls(1, 9)[0] as string,
        { url: proxyUrls(1, 10)[0] as string, labels: labels as Record<string, string> },
      ]);
    await rejectsWritingNothing(ctx, prefix, add({ 'a:b': 'c' }), 'proxies[1].labels.a:b');
    await rejectsWritingNothing(ctx, prefix, add({ near: 'x' }), 'proxies[1].labels.near');
    await rejectsWritingNothing(ctx, prefix, add({ Tier: 'x' }), 'proxies[1].labels.Tier');
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'v']));
    await rejectsWritingNothing(ctx, prefix, add(many), 'proxies[1].labels');
  });

  it('near: radius boundaries just inside and outside, small and large match sets', async () => {
    const { manager, pool } = await freshPool(ctx);
    const inside = north(BA.latitude, BA.longitude, 9.97);
    const outside = north(BA.latitude, BA.longitude, 10.03);
    const [inId, outId, noLocationId] = (
      await manager.addProxies(pool, [
        { url: proxyUrls(1, 0)[0] as string, maxConcurrency: 1, location: inside },
        { url: proxyUrls(1, 1)[0] as string, maxConcurrency: 1, location: outside },
        { url: proxyUrls(1, 2)[0] as string, maxConcurrency: 1 },
      ])
    ).map((r) => r.id);
    const near = { ...BA, radiusKm: 10 };
    // Few in the radius: the geo search answers exactly.
    expect((await leaseAll(manager, pool, { near })).ids).toEqual(new Set([inId]));
    // Outside a 10.06 km radius nothing is left out but the unlocated proxy.
    expect((await leaseAll(manager, pool, { near: { ...near, radiusKm: 10.06 } })).ids).toEqual(
      new Set([inId, outId]),
    );
    // noneOf near is checked per candidate in Lua: the same boundary.
    expect((await leaseAll(manager, pool, { noneOf: [{ near }] })).ids).toEqual(
      new Set([outId, noLocationId]),
    );

    // Many in the radius (more than the exact-search limit): sampled and walked paths.
    const crowd = await manager.addProxies(
      pool,
      proxyUrls(60, 100).map((url, i) => ({
        url,
        maxConcurrency: 1,
        location: north(BA.latitude, BA.longitude, i < 40 ? 5 : 30),
      })),
    );
    const expected = new Set([inId, ...crowd.slice(0, 40).map((r) => r.id)]);
    for (const selector of [
      'first-available',
      'round-robin',
      'least-used',
      'weighted-random',
      'healthiest',
    ] as const) {
      const { ids } = await leaseAll(manager, pool, { near }, selector);
      expect(ids, selector).toEqual(expected);
    }
  });

  it('the last free proxy of a crowded radius is found behind 1,200 others, by every selector', async () => {
    const { manager, pool } = await freshPool(ctx);
    // Far ones first in insertion order, so the free near one sits past the head walk's budget.
    await manager.addProxies(
      pool,
      proxyUrls(1200).map((url) => ({
        url,
        maxConcurrency: 1,
        location: north(BA.latitude, BA.longitude, 300),
      })),
    );
    const near = await manager.addProxies(
      pool,
      proxyUrls(100, 5000).map((url) => ({ url, maxConcurrency: 1, location: BA })),
    );
    const filters = { near: { ...BA, radiusKm: 5 } };
    const held: Lease[] = [];
    for (let i = 0; i < 99; i++)
      held.push(
        (await manager.acquireProxy({ pool, filters, selector: 'first-available' })) as Lease,
      );
    const free = near[99]?.id;
    expect(held.map((l) => l.proxyId)).not.toContain(free);
    for (const selector of [
      'round-robin',
      'least-used',
      'first-available',
      'weighted-random',
      'lowest-latency',
    ] as const) {
      const lease = await manager.acquireProxy({ pool, filters, selector });
      expect(lease?.proxyId, selector).toBe(free);
      await manager.releaseProxy(lease as Lease);
    }
    await manager.releaseProxy(held[0] as Lease);
    const two = await leaseAll(manager, pool, filters, 'round-robin');
    expect(two.ids).toEqual(new Set([free, held[0]?.proxyId]));
  });

  it('geo + label + tag combined, near inside a nested clause', async () => {
    const { manager, pool } = await freshPool(ctx);
    const far = north(BA.latitude, BA.longitude, 500);
    const specs = [
      { labels: { country: 'AR', provider: 'acme' }, tags: ['residential'], location: BA },
      { labels: { country: 'AR', provider: 'acme' }, tags: ['datacenter'], location: BA },
      { labels: { country: 'AR', provider: 'other' }, tags: ['residential'], location: BA },
      { labels: { country: 'AR', provider: 'acme' }, tags: ['residential'], location: far },
      { labels: { country: 'AR', provider: 'acme' }, tags: ['residential'] },
    ];
    const ids = (
      await manager.addProxies(
        pool,
        specs.map((s, i) => ({ url: proxyUrls(1, i)[0] as string, maxConcurrency: 1, ...s })),
      )
    ).map((r) => r.id);
    const near = { ...BA, radiusKm: 50 };
    expect(
      (await leaseAll(manager, pool, { provider: 'acme', tags: ['residential'], near })).ids,
    ).toEqual(new Set([ids[0]]));
    // Within 50 km, or anywhere for a datacenter proxy of acme.
    const nested: ProxyFilters = {
      country: 'AR',
      anyOf: [{ near, noneOf: [{ provider: 'other' }] }, { allOf: [{ tags: ['datacenter'] }] }],
    };
    expect((await leaseAll(manager, pool, nested, 'round-robin')).ids).toEqual(
      new Set([ids[0], ids[1]]),
    );
  });

  it('locations are validated, and cleaned when a proxy is re-added, removed or its pool deleted', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    const redis = ctx.redis();
    const geoKey = `${prefix}:{${pool}}:locations`;
    const [a, b] = await manager.addProxies(pool, [
      { url: proxyUrls(1, 0)[0] as string, location: BA },
      { url: proxyUrls(1, 1)[0] as string, location: { latitude: -85, longitude: 180 } },
    ]);
    expect(a?.location).toEqual(BA);
    expect((await manager.listProxies(pool))[1]?.location).toEqual({
      latitude: -85,
      longitude: 180,
    });
    expect(await redis.zcard(geoKey)).toBe(2);
    const add = (location: unknown) => () =>
      manager.addProxies(pool, [
        proxyUrls(1, 5)[0] as string,
        { url: proxyUrls(1, 6)[0] as string, location: location as typeof BA },
      ]);
    await rejectsWritingNothing(
      ctx,
      prefix,
      add({ latitude: 85.06, longitude: 0 }),
      'proxies[1].location.latitude',
    );
    await rejectsWritingNothing(
      ctx,
      prefix,
      add({ latitude: 0, longitude: -180.01 }),
      'proxies[1].location.longitude',
    );
    await rejectsWritingNothing(
      ctx,
      prefix,
      add({ latitude: Number.NaN, longitude: 0 }),
      'proxies[1].location.latitude',
    );
    await rejectsWritingNothing(ctx, prefix, add({ latitude: 1 }), 'proxies[1].location.longitude');

    // Re-added without a location: out of the index, and no longer near anything.
    await manager.addProxies(pool, [proxyUrls(1, 0)[0] as string]);
    expect(await redis.zscore(geoKey, a?.id as string)).toBeNull();
    expect(await manager.acquireProxy({ pool, filters: { near: { ...BA, radiusKm: 1 } } })).toBe(
      null,
    );
    await manager.removeProxy(pool, b?.id as string);
    expect(await redis.exists(geoKey)).toBe(0);
    await manager.addProxies(pool, [{ url: proxyUrls(1, 2)[0] as string, location: BA }]);
    expect(await redis.exists(geoKey)).toBe(1);
    await manager.deletePool(pool);
    expect(await redis.exists(geoKey)).toBe(0);
  });
});
