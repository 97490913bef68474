import { describeEachTarget } from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { completedJobs, startTestWorker, waitFor } from '../../test/testSupport.js';
import type { WorkerHandle } from '../worker.js';
import { JOB_NAMES } from './schedules.js';

const EVERY_MS = 250;
/** Runs of each job to watch: enough to see a duplicate or a missed interval. */
const RUNS = 6;

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
      poolSamplesMs: EVERY_MS,
      healthCheckMs: EVERY_MS,
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

    const byName = await waitFor(
      `${RUNS} runs of every job`,
      async () => {
        const runs = await completedJobs(queue);
        return JOB_NAMES.every((name) => (runs.get(name)?.length ?? 0) >= RUNS) && runs;
      },
      20_000,
      50,
    );
    for (const name of JOB_NAMES) {
      const slots = byName.get(name) ?? [];
      // One run per interval: never two in one slot, slots whole intervals apart, and about
      // one interval on average (BullMQ skips a slot only when a busy machine ran the previous
      // job too late to catch it).
      const gaps = slots.slice(1).map((t, i) => t - (slots[i] as number));
      const message = `${name} slot gaps ${gaps.join(',')}`;
      expect(
        gaps.every((gap) => gap > 0 && gap % EVERY_MS === 0),
        message,
      ).toBe(true);
      const meanGap = ((slots.at(-1) as number) - (slots[0] as number)) / gaps.length;
      expect(meanGap, message).toBeLessThanOrEqual(2 * EVERY_MS);
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
    const job = await waitFor(
      'a completed job',
      async () => (await replica.queue.getJobs(['completed'], 0, 0))[0],
      10_000,
      50,
    );
    expect(job?.returnvalue).toBeTypeOf('object');
    expect((await replica.queue.getJobLogs(job?.id as string)).logs.length).toBeGreaterThan(0);
    expect(job?.opts.removeOnComplete).toEqual({ count: 100 });
    expect(job?.opts.removeOnFail).toEqual({ count: 500 });
  });
});
