// Child process of the multi-process benchmark case: runs Leasehold cycles for warm-up +
// window and reports what it measured in the window.
import { ProxyManager } from '@leasehold/client';
import { runChildWorker, waitForStartSignal } from '@leasehold/testing';
import { Redis } from 'ioredis';
import { type LeaseholdCaseOptions, leaseholdCycle } from './cases.js';
import { type LoadOptions, sleep } from './measure.js';

interface Payload {
  url: string;
  prefix: string;
  pool: string;
  opts: LeaseholdCaseOptions;
  load: LoadOptions;
}

runChildWorker<
  Payload,
  { cycles: number; totalCycles: number; latencies: number[]; elapsedMs: number }
>(async (p) => {
  const redis = new Redis(p.url, { enableAutoPipelining: true });
  const manager = new ProxyManager({ redis, prefix: p.prefix });
  const cycle = leaseholdCycle(manager, p.pool, p.opts);
  await waitForStartSignal();
  let measuring = false;
  let stop = false;
  let cycles = 0;
  let totalCycles = 0;
  const latencies: number[] = [];
  const callers = Array.from({ length: p.load.callers }, async () => {
    while (!stop) {
      const latency = await cycle();
      if (latency !== null) totalCycles++;
      if (measuring && latency !== null) {
        cycles++;
        latencies.push(latency);
      }
    }
  });
  await sleep(p.load.warmupMs);
  const started = performance.now();
  measuring = true;
  await sleep(p.load.windowMs);
  measuring = false;
  const elapsedMs = performance.now() - started;
  stop = true;
  await Promise.all(callers);
  await manager.close();
  await redis.quit();
  return { cycles, totalCycles, latencies, elapsedMs };
});
