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

/** Run callers for warm-up + window; measure only the window. */
export async function runLoad(
  name: string,
  cycle: Cycle,
  load: LoadOptions,
  server: { pid: number; redis: Redis },
): Promise<CaseResult> {
  let measuring = false;
  let stop = false;
  let cycles = 0;
  const latencies: number[] = [];
  const callers = Array.from({ length: load.callers }, async (_, i) => {
    while (!stop) {
      const latency = await cycle(i);
      if (measuring && latency !== null) {
        cycles++;
        latencies.push(latency);
      }
    }
  });
  await sleep(load.warmupMs);
  const cpuBefore = processCpuMicros(server.pid);
  const callsBefore = await luaCalls(server.redis);
  const started = performance.now();
  measuring = true;
  await sleep(load.windowMs);
  measuring = false;
  const elapsed = performance.now() - started;
  const cpu = processCpuMicros(server.pid) - cpuBefore;
  const calls = (await luaCalls(server.redis)) - callsBefore;
  stop = true;
  await Promise.all(callers);
  latencies.sort((a, b) => a - b);
  return {
    name,
    cyclesPerSec: (cycles * 1000) / elapsed,
    acquireP50Ms: percentile(latencies, 0.5),
    acquireP99Ms: percentile(latencies, 0.99),
    serverCpuUsPerCycle: cycles === 0 ? 0 : cpu / cycles,
    luaCallsPerCycle: cycles === 0 ? 0 : calls / cycles,
    cycles,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
