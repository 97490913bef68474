import type { Redis } from 'ioredis';
import { luaCalls, processCpuMicros } from './serverProbe.js';

/** One benchmark row. */
export interface CaseResult {
  name: string;
  cyclesPerSec: number;
  /** Acquire latency percentiles in ms (null where the case has no separate acquire). */
  acquireP50Ms: number | null;
  acquireP99Ms: number | null;
  serverCpuUsPerCycle: number;
  luaCallsPerCycle: number;
  cycles: number;
  notes?: string;
}

export interface LoadOptions {
  callers: number;
  warmupMs: number;
  windowMs: number;
}

/**
 * A caller runs `cycle` in a loop; `cycle` returns the acquire latency (ms) of that cycle,
 * or null when nothing was acquired (it then counts as no cycle).
 */
export type Cycle = (caller: number) => Promise<number | null>;

export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** At most `n` evenly spaced values of a sorted array (its quantiles), in order. */
export function quantileSample(sorted: number[], n: number): number[] {
  if (sorted.length <= n) return sorted;
  return Array.from({ length: n }, (_, i) => sorted[Math.floor((i * sorted.length) / n)] as number);
}

export interface LoadRun {
  /** Cycles completed inside the window. */
  cycles: number;
  /** Cycles completed over warm-up + window. */
  totalCycles: number;
  /** Acquire latencies (ms) of the window's cycles, sorted. */
  latencies: number[];
  elapsedMs: number;
}

/**
 * Run `load.callers` callers for warm-up + window and count only the window. The hooks run
 * right before and after it (e.g. to sample the server). Used in-process and by the
 * multi-process case's children.
 */
export async function driveLoad(
  cycle: Cycle,
  load: LoadOptions,
  hooks: { beforeWindow?: () => Promise<void>; afterWindow?: () => Promise<void> } = {},
): Promise<LoadRun> {
  let measuring = false;
  let stop = false;
  let cycles = 0;
  let totalCycles = 0;
  const latencies: number[] = [];
  const callers = Array.from({ length: load.callers }, async (_, i) => {
    while (!stop) {
      const latency = await cycle(i);
      if (latency === null) continue;
      totalCycles++;
      if (measuring) {
        cycles++;
        latencies.push(latency);
      }
    }
  });
  await sleep(load.warmupMs);
  await hooks.beforeWindow?.();
  const started = performance.now();
  measuring = true;
  await sleep(load.windowMs);
  measuring = false;
  const elapsedMs = performance.now() - started;
  await hooks.afterWindow?.();
  stop = true;
  await Promise.all(callers);
  latencies.sort((a, b) => a - b);
  return { cycles, totalCycles, latencies, elapsedMs };
}

/** One in-process case: the window's rates, with the server's CPU and script calls. */
export async function runLoad(
  name: string,
  cycle: Cycle,
  load: LoadOptions,
  server: { pid: number; redis: Redis },
): Promise<CaseResult> {
  let cpu = 0;
  let calls = 0;
  const run = await driveLoad(cycle, load, {
    beforeWindow: async () => {
      cpu = processCpuMicros(server.pid);
      calls = await luaCalls(server.redis);
    },
    afterWindow: async () => {
      cpu = processCpuMicros(server.pid) - cpu;
      calls = (await luaCalls(server.redis)) - calls;
    },
  });
  return {
    name,
    cyclesPerSec: (run.cycles * 1000) / run.elapsedMs,
    acquireP50Ms: percentile(run.latencies, 0.5),
    acquireP99Ms: percentile(run.latencies, 0.99),
    serverCpuUsPerCycle: run.cycles === 0 ? 0 : cpu / run.cycles,
    luaCallsPerCycle: run.cycles === 0 ? 0 : calls / run.cycles,
    cycles: run.cycles,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
