import { type Lease, ProxyManager } from '@leasehold/client';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { startTestWorker, waitFor } from '../../test/testSupport.js';
import type { WorkerHandle } from '../worker.js';
import { JobName } from './schedules.js';

// The delay ends by moving the pool's clock; the worker runs the same test-clock scripts.
useTestClockLibrary();

const PROXY = 'http://scraper:s3cret-proxy-pw@10.1.0.2:8080';

describeEachTarget('worker cooldown-recovery and reuse delays', (ctx) => {
  const replicas: WorkerHandle[] = [];
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.close()));
  });

  it('lifts an ended reuse delay with no acquire traffic', async () => {
    const prefix = ctx.uniquePrefix();
    const redis = ctx.redis();
    const manager = new ProxyManager({ redis, prefix });
    await manager.upsertPool({ name: 'eu', reuseDelaySeconds: 120 });
    const [proxy] = await manager.addProxies('eu', [PROXY]);
    const first = (await manager.acquireProxy({ pool: 'eu' })) as Lease;
    const keys = manager.keys.poolKeys('eu');
    expect(await redis.zscore(keys.cooldowns, proxy?.id as string)).toBe(
      String(first.acquiredAt + 120_000),
    );
    replicas.push(await startTestWorker(ctx, prefix));
    await TestClock.forPool(redis, manager.keys, 'eu').advance(120_000);
    // Raw reads only (every ProxyManager call would recover it itself): the worker alone
    // lifts the delay and puts the proxy back in the available indexes.
    const proxyKey = manager.keys.proxy('eu', proxy?.id as string);
    await waitFor(
      'the worker to lift the delay',
      async () => (await redis.zscore(keys.availableByOrder, proxy?.id as string)) !== null,
      5_000,
    );
    expect(await redis.hexists(proxyKey, 'reuseDelayUntil')).toBe(0);
    expect(await redis.zcard(keys.cooldowns)).toBe(0);
    // The job lifts the delay before BullMQ records it as completed: wait for the record too.
    await waitFor(
      'the cooldown-recovery job that lifted it to complete',
      async () =>
        (await (replicas[0] as WorkerHandle).queue.getJobs(['completed'], 0, -1)).some(
          (job) =>
            job.name === JobName.COOLDOWN_RECOVERY &&
            (job.returnvalue as { recovered: number }).recovered === 1,
        ),
      5_000,
    );
    // Leasable again, and the new lease starts a new delay.
    const second = (await manager.acquireProxy({ pool: 'eu' })) as Lease;
    expect(second.acquiredAt).toBeGreaterThanOrEqual(first.acquiredAt + 120_000);
    expect(await redis.zscore(keys.cooldowns, proxy?.id as string)).toBe(
      String(second.acquiredAt + 120_000),
    );
    await manager.close();
  });
});
