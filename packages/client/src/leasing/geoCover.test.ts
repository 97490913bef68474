import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { Lease } from '../types.js';
import { COVER_MAX_CELLS, geoCover } from './geoCover.js';

const EARTH_RADIUS_KM = 6372.797560856;
const DEGREES_PER_KM = 180 / Math.PI / EARTH_RADIUS_KM;
const BA = { latitude: -34.6037, longitude: -58.3816 };

/** Deterministic points in [0, 1). */
function uniform(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const inCover = (cover: readonly number[], score: number) => {
  for (let i = 0; i < cover.length; i += 2)
    if (score >= (cover[i] as number) && score < (cover[i + 1] as number)) return true;
  return false;
};

describeEachTarget('geo cover (score intervals of geohash cells)', (ctx) => {
  it('holds every member Redis GEOSEARCH finds in the radius, and mostly those', async () => {
    const redis = ctx.redis();
    const key = `${ctx.uniquePrefix()}:{cover}:locations`;
    const random = uniform(7);
    const centres = [
      { ...BA, radiusKm: 50 },
      { ...BA, radiusKm: 0.05 },
      { latitude: 0.5, longitude: 179.95, radiusKm: 40 }, // across the antimeridian
      { latitude: 84.9, longitude: 10, radiusKm: 300 }, // past the index's latitude limit
      { latitude: -60, longitude: -100, radiusKm: 2500 },
      { latitude: 10, longitude: 20, radiusKm: 20_000 }, // the whole index
    ];
    let acceptanceSum = 0;
    for (const { latitude, longitude, radiusKm } of centres) {
      await redis.del(key);
      // Scattered over three radii around the centre (clamped to the index's range).
      const spread = Math.min(170, radiusKm * DEGREES_PER_KM * 3);
      const args: (string | number)[] = [];
      for (let i = 0; i < 3000; i++) {
        const lat = Math.max(-85.05, Math.min(85.05, latitude + (random() * 2 - 1) * spread));
        const lon = ((longitude + (random() * 2 - 1) * spread * 2 + 540) % 360) - 180;
        args.push(lon, lat, `m${i}`);
      }
      await redis.geoadd(key, ...args);
      const inside = (await redis.geosearch(
        key,
        'FROMLONLAT',
        longitude,
        latitude,
        'BYRADIUS',
        radiusKm,
        'km',
      )) as string[];
      expect(inside.length, `${latitude},${longitude}`).toBeGreaterThan(10);
      const cover = geoCover(latitude, longitude, radiusKm);
      expect(cover.length / 2).toBeLessThanOrEqual(COVER_MAX_CELLS);
      for (let i = 2; i < cover.length; i++)
        expect(cover[i] as number).toBeGreaterThan(cover[i - 1] as number);
      const scores = (await redis.zmscore(key, ...inside)).map(Number);
      const missed = inside.filter((_, i) => !inCover(cover, scores[i] as number));
      expect(missed, `${latitude},${longitude} r ${radiusKm}`).toEqual([]);
      const all = await redis.zrange(key, 0, -1, 'WITHSCORES');
      let covered = 0;
      for (let i = 1; i < all.length; i += 2) if (inCover(cover, Number(all[i]))) covered++;
      acceptanceSum += inside.length / covered;
    }
    // The cover is not the whole box: on average most of its members lie within the radius.
    expect(acceptanceSum / centres.length).toBeGreaterThan(0.5);
  });

  it('round-robin on a dense radius serves every proxy in it, evenly, and none outside', async () => {
    const random = uniform(11);
    const scatter = (fromKm: number, toKm: number) => {
      const km = fromKm + random() * (toKm - fromKm);
      const angle = random() * 2 * Math.PI;
      return {
        latitude: BA.latitude + km * Math.cos(angle) * DEGREES_PER_KM,
        longitude:
          BA.longitude +
          (km * Math.sin(angle) * DEGREES_PER_KM) / Math.cos((BA.latitude * Math.PI) / 180),
      };
    };
    const filters = { near: { ...BA, radiusKm: 10 } };
    /** 60 proxies within 9 km, 60 at `ringKm`, 100 far; leases each of 600 cycles takes. */
    const leaseCounts = async (ringKm: [number, number]) => {
      const { manager, pool } = await freshPool(ctx);
      const inputs = proxyUrls(220).map((url, i) => ({
        url,
        location: i < 60 ? scatter(0, 9) : i < 120 ? scatter(...ringKm) : scatter(500, 600),
      }));
      const ids = (await manager.addProxies(pool, inputs)).map((r) => r.id);
      const counts = new Map<string, number>();
      for (let i = 0; i < 600; i++) {
        const lease = (await manager.acquireProxy({
          pool,
          filters,
          selector: 'round-robin',
        })) as Lease;
        counts.set(lease.proxyId, (counts.get(lease.proxyId) ?? 0) + 1);
        await manager.releaseProxy(lease);
      }
      const inside = new Set(ids.slice(0, 60));
      expect([...counts.keys()].filter((id) => !inside.has(id))).toEqual([]);
      expect(counts.size).toBe(60);
      return [...counts.values()];
    };
    // Only matches in the cover: ten leases each if exact; seen 8-12.
    const alone = await leaseCounts([300, 400]);
    expect(Math.max(...alone)).toBeLessThanOrEqual(18);
    expect(Math.min(...alone)).toBeGreaterThanOrEqual(4);
    // 60 non-matches in the cover (11-14 km) beside the rim's matches: every member is drawn
    // on its own, so a rim match is not favoured by its non-matching neighbours; seen 7-13.
    // (Draws of a run of neighbours from one random start gave a rim match up to 42.)
    const crowded = await leaseCounts([11, 14]);
    expect(Math.max(...crowded)).toBeLessThanOrEqual(18);
    expect(Math.min(...crowded)).toBeGreaterThanOrEqual(4);
  });
});
