import type { Cluster, Redis } from 'ioredis';

/** One interval between two of the worker's samples (`<prefix>:{<pool>}:samples`). */
export interface SampleInterval {
  /** Server ms at the interval's end (the later entry's id). */
  at: number;
  acquires: number;
  successes: number;
  failures: Record<string, number>;
  available: number;
  leases: number;
  open: number;
}

interface RawSample {
  at: number;
  counters: Record<string, number>;
}

/**
 * The last `points` intervals of a pool's series, oldest first. Entries hold monotonic
 * counters; a delta is the difference of neighbours (never negative: a pool recreated under
 * the same name starts its counters again).
 */
export async function readSampleIntervals(
  redis: Redis | Cluster,
  key: string,
  points: number,
): Promise<SampleInterval[]> {
  const entries = (await redis.xrevrange(key, '+', '-', 'COUNT', points + 1)) as [
    string,
    string[],
  ][];
  const raw: RawSample[] = entries.reverse().map(([id, flat]) => {
    const counters: Record<string, number> = {};
    for (let i = 0; i + 1 < flat.length; i += 2)
      counters[flat[i] as string] = Number(flat[i + 1]) || 0;
    return { at: Number(id.split('-')[0]), counters };
  });
  const out: SampleInterval[] = [];
  for (let i = 1; i < raw.length; i += 1) {
    const prev = (raw[i - 1] as RawSample).counters;
    const { at, counters } = raw[i] as RawSample;
    const delta = (field: string) => Math.max(0, (counters[field] ?? 0) - (prev[field] ?? 0));
    const failures: Record<string, number> = {};
    for (const field of Object.keys(counters))
      if (field.startsWith('f:')) failures[field.slice(2)] = delta(field);
    out.push({
      at,
      acquires: delta('acquires'),
      successes: delta('successes'),
      failures,
      available: counters.available ?? 0,
      leases: counters.leases ?? 0,
      open: counters.open ?? 0,
    });
  }
  return out;
}

/** Failures over reported outcomes across the intervals, or null with no outcome. */
export function errorRate(intervals: readonly SampleInterval[]): number | null {
  let failures = 0;
  let successes = 0;
  for (const s of intervals) {
    successes += s.successes;
    for (const n of Object.values(s.failures)) failures += n;
  }
  return failures + successes === 0 ? null : failures / (failures + successes);
}
