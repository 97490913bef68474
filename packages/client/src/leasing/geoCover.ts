/**
 * Score intervals of the geohash cells that cover a circle, for drawing candidates from a pool's
 * GEO zset with `ZRANGE … BYSCORE` (lua/includes/pickProxy.lua). A GEO zset's score is a 52-bit
 * geohash: latitude and longitude offsets, 26 bits each, interleaved (latitude in the even
 * bits), so a cell of `step` bits per axis is the score interval
 * [hash << (52 - 2·step), (hash + 1) << (52 - 2·step)).
 *
 * Like Redis' geohashGetAreasByRadius, but with the finest step whose cells over the circle's
 * bounding box number at most COVER_MAX_CELLS, and without the cells that lie wholly outside the
 * circle: most members of the cover then lie within the radius. The cover is conservative
 * (every point within the radius lies in one of its cells): the box is the exact one of a
 * spherical cap, and a cell is dropped only when its nearest point is farther than the radius
 * plus a margin.
 */

/** Redis GEO's sphere and latitude range (geohashGetDistance, GEO_LAT_MIN/MAX). */
const EARTH_RADIUS_M = 6372797.560856;
const LAT_LIMIT = 85.05112878;
const RADIANS = Math.PI / 180;
/** More cells fit the circle better but cost the script more intervals to walk when sparse. */
export const COVER_MAX_CELLS = 32;
/** Slack for float rounding and the index's ~0.6 m cells: a cell is never dropped by a hair. */
const MARGIN_DEGREES = 1e-6;
const MARGIN_METRES = 2;

/**
 * Covers by centre and radius: computing one takes ~50 µs and a fleet sends the same few
 * circles with every acquire. Bounded: emptied when full.
 */
const COVER_CACHE_SIZE = 256;
const coverCache = new Map<string, readonly number[]>();

/** Flat [lo, hi, lo, hi, …] (hi exclusive), in score order, adjacent cells merged. */
export function geoCover(latitude: number, longitude: number, radiusKm: number): readonly number[] {
  const key = `${latitude},${longitude},${radiusKm}`;
  let cover = coverCache.get(key);
  if (cover === undefined) {
    if (coverCache.size >= COVER_CACHE_SIZE) coverCache.clear();
    cover = computeCover(latitude, longitude, radiusKm);
    coverCache.set(key, cover);
  }
  return cover;
}

function computeCover(latitude: number, longitude: number, radiusKm: number): number[] {
  const metres = radiusKm * 1000;
  const delta = metres / EARTH_RADIUS_M; // angular radius
  const latLo = latitude - delta / RADIANS - MARGIN_DEGREES;
  const latHi = latitude + delta / RADIANS + MARGIN_DEGREES;
  // Longitude half-width of a spherical cap; every longitude when the cap holds a pole.
  const sinRatio = Math.sin(Math.min(delta, Math.PI / 2)) / Math.cos(latitude * RADIANS);
  const lonHalf =
    latHi >= 90 || latLo <= -90 || delta >= Math.PI / 2 || sinRatio >= 1
      ? undefined
      : Math.asin(sinRatio) / RADIANS + MARGIN_DEGREES;

  for (let step = 26; step >= 1; step--) {
    const n = 2 ** step;
    const latFirst = latIndex(latLo, n);
    const latLast = latIndex(latHi, n);
    let lonFirst = 0;
    let lonCount = n;
    if (lonHalf !== undefined) {
      lonFirst = Math.floor(((longitude - lonHalf + 180) / 360) * n);
      lonCount = Math.min(n, Math.floor(((longitude + lonHalf + 180) / 360) * n) - lonFirst + 1);
      if (lonCount === n) lonFirst = 0;
    }
    if ((latLast - latFirst + 1) * lonCount > COVER_MAX_CELLS) continue;
    const shift = BigInt(52 - 2 * step);
    const starts: bigint[] = [];
    for (let i = latFirst; i <= latLast; i++)
      for (let k = 0; k < lonCount; k++) {
        const j = (((lonFirst + k) % n) + n) % n;
        if (cellDistance(latitude, longitude, i, j, n) > metres + MARGIN_METRES) continue;
        starts.push(interleave(i, j) << shift);
      }
    starts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const width = 1n << shift;
    const cover: number[] = [];
    for (const start of starts) {
      const lo = Number(start);
      const hi = Number(start + width);
      if (cover.length > 0 && cover[cover.length - 1] === lo) cover[cover.length - 1] = hi;
      else cover.push(lo, hi);
    }
    return cover;
  }
  return [0, 2 ** 52];
}

function latIndex(lat: number, n: number): number {
  const offset = (lat + LAT_LIMIT) / (2 * LAT_LIMIT);
  return Math.min(n - 1, Math.max(0, Math.floor(offset * n)));
}

/** Latitude bits in the even positions, longitude bits in the odd ones (Redis interleave64). */
function interleave(latBits: number, lonBits: number): bigint {
  let hash = 0n;
  for (let bit = 25; bit >= 0; bit--) {
    hash = (hash << 2n) | (BigInt((lonBits >>> bit) & 1) << 1n) | BigInt((latBits >>> bit) & 1);
  }
  return hash;
}

/**
 * Distance from the centre to the nearest point of cell (i, j): on the nearer of its meridian
 * edges (great circles, where the distance from a point has one minimum, at
 * atan(tan φ0 / cos Δλ)), or straight north/south when the centre's longitude crosses the cell.
 */
function cellDistance(lat: number, lon: number, i: number, j: number, n: number): number {
  const cellLatLo = -LAT_LIMIT + (i / n) * 2 * LAT_LIMIT;
  const cellLatHi = -LAT_LIMIT + ((i + 1) / n) * 2 * LAT_LIMIT;
  const cellLonLo = -180 + (j / n) * 360;
  const cellLonHi = -180 + ((j + 1) / n) * 360;
  const clampLat = (x: number) => Math.min(cellLatHi, Math.max(cellLatLo, x));
  const west = wrapDegrees(cellLonLo - lon);
  const east = wrapDegrees(cellLonHi - lon);
  if (west <= 0 && east >= 0) return Math.abs(lat - clampLat(lat)) * RADIANS * EARTH_RADIUS_M;
  const deltaLon = Math.min(Math.abs(west), Math.abs(east));
  if (deltaLon >= 90) {
    // Beyond a quarter turn the nearest point of a meridian is a pole end; check both ends.
    return Math.min(
      haversine(lat, lon, cellLatLo, lon + deltaLon),
      haversine(lat, lon, cellLatHi, lon + deltaLon),
    );
  }
  const nearestLat = Math.atan(Math.tan(lat * RADIANS) / Math.cos(deltaLon * RADIANS)) / RADIANS;
  return haversine(lat, lon, clampLat(nearestLat), lon + deltaLon);
}

/** Degrees into (-180, 180]. */
function wrapDegrees(x: number): number {
  const wrapped = ((((x + 180) % 360) + 360) % 360) - 180;
  return wrapped === -180 ? 180 : wrapped;
}

function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const u = Math.sin(((lat2 - lat1) * RADIANS) / 2);
  const v = Math.sin(((lon2 - lon1) * RADIANS) / 2);
  return (
    2 *
    EARTH_RADIUS_M *
    Math.asin(
      Math.min(1, Math.sqrt(u * u + Math.cos(lat1 * RADIANS) * Math.cos(lat2 * RADIANS) * v * v)),
    )
  );
}
