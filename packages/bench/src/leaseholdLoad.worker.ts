// Child process of the multi-process benchmark case: runs Leasehold cycles for warm-up +
// window and reports what it measured in the window.
import { ProxyManager } from '@leasehold/client';
import { runChildWorker, waitForStartSignal } from '@leasehold/testing';
import { Redis } from 'ioredis';
import { CONNECTIONS, type LeaseholdCaseOptions, leaseholdCycle } from './cases.js';
import { driveLoad, type LoadOptions, type LoadRun, quantileSample } from './measure.js';

interface Payload {
  url: string;
  prefix: string;
  pool: string;
  opts: LeaseholdCaseOptions;
  load: LoadOptions;
}

runChildWorker<Payload, LoadRun>(async (p) => {
  const redis = new Redis(p.url, { enableAutoPipelining: true });
  const manager = new ProxyManager({ redis, prefix: p.prefix, connections: CONNECTIONS });
  await waitForStartSignal();
  const run = await driveLoad(leaseholdCycle(manager, p.pool, p.opts), p.load);
  await manager.close();
  await redis.quit();
  // A few thousand evenly spaced quantiles are plenty for p50/p99 and keep the line short.
  return { ...run, latencies: quantileSample(run.latencies, 5000) };
});
