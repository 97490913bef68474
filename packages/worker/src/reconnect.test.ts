import { ProxyManager } from '@leasehold/client';
import {
  createRedisClient,
  type RedisServerHandle,
  startRedisServer,
  TestClock,
  useTestClockLibrary,
} from '@leasehold/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../test/testSupport.js';
import { startWorker, type WorkerHandle } from './worker.js';

// The worker runs in this process: it reads the moved clock too.
useTestClockLibrary();

// Standalone only: it restarts the Redis server itself, which needs a private server of its
// own (the shared cluster cannot be restarted under the other suites).
describe('worker across a Redis restart', () => {
  let server: RedisServerHandle | undefined;
  let worker: WorkerHandle | undefined;
  afterEach(async () => {
    await worker?.close();
    await server?.stop();
  });

  /** A pool with one lease, expired by moving the pool's clock; resolves once the worker swept it. */
  async function expiredLeaseIsSwept(url: string, prefix: string): Promise<void> {
    const redis = await createRedisClient({ kind: 'standalone', url });
    try {
      const manager = new ProxyManager({ redis, prefix });
      await manager.upsertPool({ name: 'p1' });
      await manager.addProxies('p1', ['http://u:pw@10.6.0.1:8080']);
      expect(await manager.acquireProxy({ pool: 'p1', durationSeconds: 60 })).not.toBeNull();
      await TestClock.forPool(redis, manager.keys, 'p1').advance(60_000);
      const deadlines = manager.keys.poolKeys('p1').leaseDeadlines;
      await waitFor(
        'the worker to sweep the lease',
        async () => (await redis.zcard(deadlines)) === 0,
        15_000,
      );
    } finally {
      await redis.quit();
    }
  }

  it('reconnects and keeps sweeping after Redis restarts empty', async () => {
    server = await startRedisServer();
    const { port, url } = server;
    const prefix = 'lh-restart';
    worker = await startWorker({
      redis: url,
      prefix,
      metrics: { port: 0 },
      intervals: { leaseExpiryMs: 200, cooldownRecoveryMs: 200, persistErrorLogsMs: 200 },
    });
    await expiredLeaseIsSwept(url, prefix);

    await server.stop();
    await waitFor(
      'health to see Redis down',
      async () => (await worker?.health())?.checks.redis === 'down',
      15_000,
    );
    // Same port, no data (no persistence): pools, queue and schedulers are all gone.
    server = await startRedisServer({ port });
    await waitFor(
      'health to recover',
      async () => (await worker?.health())?.status === 'ok',
      15_000,
    );
    await expiredLeaseIsSwept(url, prefix);
  });
});
