import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { type Lease, type ProxyFilters, ProxyManager } from '@leasehold/client';
import { runInChildProcesses } from '@leasehold/testing';
import { Redis } from 'ioredis';
import { Semaphore } from 'redis-semaphore';
import {
  type CaseResult,
  type LoadOptions,
  type LoadRun,
  percentile,
  runLoad,
  sleep,
} from './measure.js';
import { luaCalls, processCpuMicros, usedMemory } from './serverProbe.js';

/**
 * The benchmark cases. Each gets a fresh key prefix on the same private redis-server, so
 * every figure of one run is measured under the same conditions and can be compared as a
 * ratio.
 */

export interface BenchServer {
  pid: number;
  port: number;
  url: string;
  /** Control connection (INFO, setup); callers use their own. */
  redis: Redis;
}

const execFileAsync = promisify(execFile);

export const connect = (server: BenchServer): Redis =>
  new Redis(server.url, { enableAutoPipelining: true, maxRetriesPerRequest: null });

/**
 * Every case spreads its callers over this many connections (caller i on connection i % n;
 * Leasehold through its `connections` option): with one, the client and Redis take turns;
 * the peers get the same help, so the ratios compare leasing, not connection handling.
 */
export const CONNECTIONS = 2;

const connectAll = (server: BenchServer): Redis[] =>
  Array.from({ length: CONNECTIONS }, () => connect(server));

/** Documentation addresses; nothing is contacted. */
export function proxyInputs(n: number, labelEvery = 10, located = false) {
  return Array.from({ length: n }, (_, i) => ({
    url: `http://user${i}:pw${i}@10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`,
    labels: { country: i % labelEvery === 0 ? 'AR' : 'BR' },
    tags: ['residential'],
    ...(located ? { location: benchLocation(i, labelEvery) } : {}),
  }));
}

const BUENOS_AIRES = { latitude: -34.6037, longitude: -58.3816 };
const SAO_PAULO = { latitude: -23.5505, longitude: -46.6333 };

/**
 * One proxy in `every` (not the AR ones: i % every === every / 2) within ~20 km of Buenos
 * Aires, the rest around São Paulo, so BENCH_FILTERS.geo matches 10 % like the label filter.
 */
function benchLocation(i: number, every: number) {
  const centre = i % every === Math.floor(every / 2) ? BUENOS_AIRES : SAO_PAULO;
  // Deterministic scatter over a ±0.15° square (two unrelated multiplicative hashes).
  const north = ((i * 2654435761) % 4294967296) / 4294967296 - 0.5;
  const east = ((i * 40503) % 65536) / 65536 - 0.5;
  return { latitude: centre.latitude + north * 0.3, longitude: centre.longitude + east * 0.3 };
}

/**
 * The filters of the filtered cases; each matches 10 % of the pool. `nested` is the issue's
 * tree shape three levels deep (anyOf[1].allOf[0].noneOf[0]) under a label; `geo` is a 50 km
 * radius served by the pool's geo index.
 */
export const BENCH_FILTERS = {
  label: { country: 'AR' },
  nested: {
    country: 'AR',
    anyOf: [
      { tags: ['residential'] },
      { allOf: [{ tags: ['datacenter'] }, { noneOf: [{ city: 'X' }] }] },
    ],
  },
  geo: { near: { ...BUENOS_AIRES, radiusKm: 50 } },
} satisfies Record<string, ProxyFilters>;
export type BenchFilter = keyof typeof BENCH_FILTERS;

export async function addInBatches(
  manager: ProxyManager,
  pool: string,
  n: number,
  located = false,
): Promise<void> {
  const inputs = proxyInputs(n, 10, located);
  for (let i = 0; i < inputs.length; i += 5000)
    await manager.addProxies(pool, inputs.slice(i, i + 5000));
}

/** Floor: the cost of one EVALSHA of `return 1`, by redis-benchmark with 50 clients. */
export async function floorCase(server: BenchServer, requests: number): Promise<CaseResult> {
  const script = 'return 1';
  await server.redis.script('LOAD', script);
  const sha = createHash('sha1').update(script).digest('hex');
  const cpuBefore = processCpuMicros(server.pid);
  const { stdout } = await execFileAsync('redis-benchmark', [
    '-p',
    String(server.port),
    '-c',
    '50',
    '-n',
    String(requests),
    '--csv',
    'EVALSHA',
    sha,
    '0',
  ]);
  const cpu = processCpuMicros(server.pid) - cpuBefore;
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const row =
    stdout
      .trim()
      .split('\n')
      .pop()
      ?.split(',')
      .map((v) => v.replace(/"/g, '')) ?? [];
  return {
    name: 'floor: EVALSHA return 1 (redis-benchmark, 50 clients)',
    cyclesPerSec: Number(row[1]),
    acquireP50Ms: Number(row[4]),
    acquireP99Ms: Number(row[6]),
    serverCpuUsPerCycle: cpu / requests,
    luaCallsPerCycle: 1,
    cycles: requests,
  };
}

const REFERENCE_TAKE = `
local m = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #m == 0 or tonumber(m[2]) >= tonumber(ARGV[1]) then return false end
redis.call('ZINCRBY', KEYS[1], 1, m[1])
return m[1]`;
const REFERENCE_GIVE = `redis.call('ZINCRBY', KEYS[1], -1, ARGV[1]) return 1`;

/** A minimal lease of our own: take the least-loaded slot from a sorted set, give it back. */
export async function referenceCase(server: BenchServer, load: LoadOptions): Promise<CaseResult> {
  const connections = connectAll(server);
  const key = `ref:${randomUUID()}`;
  await server.redis.zadd(key, ...Array.from({ length: 100 }, (_, i) => [0, `slot${i}`]).flat());
  const clients = connections.map((redis) => {
    redis.defineCommand('refTake', { numberOfKeys: 1, lua: REFERENCE_TAKE });
    redis.defineCommand('refGive', { numberOfKeys: 1, lua: REFERENCE_GIVE });
    return redis as Redis & {
      refTake(key: string, cap: number): Promise<string | null>;
      refGive(key: string, member: string): Promise<number>;
    };
  });
  const result = await runLoad(
    'reference lease (ZRANGE+ZINCRBY script, give back), 100 slots',
    async (caller) => {
      const r = clients[caller % clients.length] as (typeof clients)[number];
      const t0 = performance.now();
      const member = await r.refTake(key, 1000);
      const latency = performance.now() - t0;
      if (member === null) return null;
      await r.refGive(key, member);
      return latency;
    },
    load,
    server,
  );
  await Promise.all(connections.map((c) => c.quit()));
  return result;
}

/** redis-semaphore (npm): acquire + release, `limit` permits, optional hold time. */
export async function semaphoreCase(
  server: BenchServer,
  load: LoadOptions,
  limit: number,
  holdMs: number,
): Promise<CaseResult> {
  const connections = connectAll(server);
  const key = `sem:${randomUUID()}`;
  const result = await runLoad(
    `redis-semaphore, limit ${limit}${holdMs ? `, hold ${holdMs} ms` : ''}`,
    async (caller) => {
      const redis = connections[caller % connections.length] as Redis;
      const semaphore = new Semaphore(redis, key, limit, {
        acquireTimeout: 60_000,
        retryInterval: 10,
        refreshInterval: 0,
        lockTimeout: 30_000,
      });
      const t0 = performance.now();
      await semaphore.acquire();
      const latency = performance.now() - t0;
      if (holdMs) await sleep(holdMs);
      await semaphore.release();
      return latency;
    },
    load,
    server,
  );
  await Promise.all(connections.map((c) => c.quit()));
  return result;
}

export interface LeaseholdCaseOptions {
  name: string;
  poolSize: number;
  /** true = the label filter. */
  filter?: boolean | BenchFilter;
  session?: boolean;
  /** Slots per proxy; undefined = no cap. */
  maxConcurrency?: number;
  waitMs?: number;
  holdMs?: number;
}

/** Pool setup shared by in-process and child-process Leasehold cases. */
export async function setUpPool(
  server: BenchServer,
  opts: LeaseholdCaseOptions,
): Promise<{ prefix: string; pool: string }> {
  const prefix = `lhb-${randomUUID().slice(0, 8)}`;
  const pool = 'bench';
  const manager = new ProxyManager({ redis: server.redis, prefix });
  await manager.upsertPool({ name: pool, selector: 'round-robin', maxSessions: 100_000 });
  // Located, for the geo case; the memory figures add proxies without a location.
  if (opts.maxConcurrency === undefined) await addInBatches(manager, pool, opts.poolSize, true);
  else
    await manager.addProxies(
      pool,
      proxyInputs(opts.poolSize).map((p) => ({
        ...p,
        maxConcurrency: opts.maxConcurrency as number,
      })),
    );
  return { prefix, pool };
}

/** Per-slot timings of a contended run (ms): how long a lease is held, how long a slot stays
 * free between one caller's release and the next caller's lease, how long a release takes. */
export interface SlotTimes {
  hold: number[];
  idle: number[];
  release: number[];
}

/** One Leasehold cycle: acquire (as configured), optional hold, release with a success outcome. */
export function leaseholdCycle(
  manager: ProxyManager,
  pool: string,
  opts: LeaseholdCaseOptions,
  slots?: SlotTimes,
) {
  const releasedAt = new Map<string, number>();
  return async (): Promise<number | null> => {
    const t0 = performance.now();
    const lease: Lease | null = await manager.acquireProxy({
      pool,
      ...(opts.filter
        ? { filters: BENCH_FILTERS[opts.filter === true ? 'label' : opts.filter] }
        : {}),
      ...(opts.session ? { session: true as const } : {}),
      ...(opts.waitMs ? { waitMs: opts.waitMs } : {}),
    });
    const acquired = performance.now();
    if (lease === null) return null;
    const freedAt = releasedAt.get(lease.proxyId);
    if (slots && freedAt !== undefined) slots.idle.push(acquired - freedAt);
    if (opts.holdMs) await sleep(opts.holdMs);
    const releasing = performance.now();
    slots?.hold.push(releasing - acquired);
    releasedAt.set(lease.proxyId, releasing);
    await manager.releaseProxy(lease, {
      ok: true,
      latencyMs: 150,
      ...(opts.session ? { sessionData: 'cookie=1' } : {}),
    });
    slots?.release.push(performance.now() - releasing);
    return acquired - t0;
  };
}

export async function leaseholdCase(
  server: BenchServer,
  load: LoadOptions,
  opts: LeaseholdCaseOptions,
): Promise<CaseResult> {
  const { prefix, pool } = await setUpPool(server, opts);
  const redis = connect(server);
  const manager = new ProxyManager({ redis, prefix, connections: CONNECTIONS });
  const result = await runLoad(opts.name, leaseholdCycle(manager, pool, opts), load, server);
  await manager.close();
  await redis.quit();
  return result;
}

/** The same cycle from N client processes at once; the server side is measured here. */
export async function leaseholdMultiProcessCase(
  server: BenchServer,
  load: LoadOptions,
  opts: LeaseholdCaseOptions,
  processes: number,
): Promise<CaseResult> {
  const { prefix, pool } = await setUpPool(server, opts);
  const perProcess = Math.ceil(load.callers / processes);
  // Server CPU and scripts over the children's whole run, per cycle they made in it.
  const cpuBefore = processCpuMicros(server.pid);
  const callsBefore = await luaCalls(server.redis);
  const results = await runInChildProcesses<LoadRun>({
    file: new URL('./leaseholdLoad.worker.ts', import.meta.url),
    count: processes,
    payload: { url: server.url, prefix, pool, opts, load: { ...load, callers: perProcess } },
    timeoutMs: load.warmupMs + load.windowMs + 60_000,
  });
  const cpu = processCpuMicros(server.pid) - cpuBefore;
  const calls = (await luaCalls(server.redis)) - callsBefore;
  const totalCycles = results.reduce((sum, r) => sum + r.totalCycles, 0);
  const cycles = results.reduce((sum, r) => sum + r.cycles, 0);
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const elapsed = Math.max(...results.map((r) => r.elapsedMs));
  return {
    name: opts.name,
    cyclesPerSec: (cycles * 1000) / elapsed,
    acquireP50Ms: percentile(latencies, 0.5),
    acquireP99Ms: percentile(latencies, 0.99),
    serverCpuUsPerCycle: totalCycles === 0 ? 0 : cpu / totalCycles,
    luaCallsPerCycle: totalCycles === 0 ? 0 : calls / totalCycles,
    cycles,
    notes: `${processes} processes × ${perProcess} callers`,
  };
}

/** Redis memory per proxy (indexes included) and per live lease. */
export async function memoryFigures(server: BenchServer, proxies: number, leases: number) {
  const prefix = `lhm-${randomUUID().slice(0, 8)}`;
  const manager = new ProxyManager({ redis: server.redis, prefix });
  await manager.upsertPool({ name: 'mem' });
  const before = await usedMemory(server.redis);
  await addInBatches(manager, 'mem', proxies);
  const afterProxies = await usedMemory(server.redis);
  const redis = connect(server);
  const leaser = new ProxyManager({ redis, prefix });
  for (let i = 0; i < leases; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, leases - i) }, () =>
        leaser.acquireProxy({ pool: 'mem', durationSeconds: 600 }),
      ),
    );
  }
  const afterLeases = await usedMemory(server.redis);
  await redis.quit();
  return {
    bytesPerProxy: (afterProxies - before) / proxies,
    bytesPerLease: (afterLeases - afterProxies) / leases,
    proxies,
    leases,
  };
}
