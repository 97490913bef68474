import { describeEachTarget } from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { completedJobs, sleep, startTestWorker } from '../test/testSupport.js';
import { JOB_NAMES } from './schedules.js';
import type { WorkerHandle } from './worker.js';

const EVERY_MS = 250;
const WINDOW_MS = 2_500;

describeEachTarget('worker schedules', (ctx) => {
  const replicas: WorkerHandle[] = [];
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.close()));
  });

  it('runs each job once per interval however many replicas upsert the schedulers', async () => {
    const prefix = ctx.uniquePrefix();
    const intervals = {
      leaseExpiryMs: EVERY_MS,
      cooldownRecoveryMs: EVERY_MS,
      persistErrorLogsMs: EVERY_MS,
    };
    replicas.push(
      ...(await Promise.all([
        startTestWorker(ctx, prefix, { intervals }),
        startTestWorker(ctx, prefix, { intervals }),
      ])),
    );
    const queue = (replicas[0] as WorkerHandle).queue;
    expect((await queue.getJobSchedulers()).map((s) => s.key).sort()).toEqual(
      [...JOB_NAMES].sort(),
    );

    await sleep(WINDOW_MS);
    const byName = await completedJobs(queue);
    for (const name of JOB_NAMES) {
      const times = byName.get(name) ?? [];
      // Exactly one run per interval: about WINDOW/EVERY of them, never two close together.
      expect(times.length, name).toBeGreaterThanOrEqual(WINDOW_MS / EVERY_MS - 2);
      expect(times.length, name).toBeLessThanOrEqual(WINDOW_MS / EVERY_MS + 1);
      const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
      expect(Math.min(...gaps), `${name} gaps ${gaps.join(',')}`).toBeGreaterThan(EVERY_MS / 2);
    }
    // A third replica starting later adds no scheduler and no duplicate.
    replicas.push(await startTestWorker(ctx, prefix, { intervals }));
    expect(await queue.getJobSchedulersCount()).toBe(JOB_NAMES.length);
  });

  it('keeps a bounded history with summaries and job logs', async () => {
    const prefix = ctx.uniquePrefix();
    const replica = await startTestWorker(ctx, prefix, {
      intervals: { leaseExpiryMs: 100, cooldownRecoveryMs: 100, persistErrorLogsMs: 100 },
    });
    replicas.push(replica);
    await sleep(1_200);
    const [job] = await replica.queue.getJobs(['completed'], 0, 0);
    expect(job?.returnvalue).toBeTypeOf('object');
    expect((await replica.queue.getJobLogs(job?.id as string)).logs.length).toBeGreaterThan(0);
    expect(job?.opts.removeOnComplete).toEqual({ count: 100 });
    expect(job?.opts.removeOnFail).toEqual({ count: 500 });
  });
});
