import { PoolStatsReader, ProxyManager } from '@leasehold/client';
import { describeEachTarget, type RedisClient, scanKeys } from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { startTestWorker, waitFor } from '../../test/testSupport.js';
import type { WorkerHandle } from '../worker.js';
import { recordPoolSamples, SAMPLES_KEPT } from './poolSamples.js';

async function keyspace(redis: RedisClient, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await scanKeys(redis, `${prefix}*`))
    out.set(key, ((await redis.dumpBuffer(key)) ?? Buffer.alloc(0)).toString('hex'));
  return out;
}

const fieldsOf = (flat: string[]) =>
  Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]]] : [])));

describeEachTarget('pool samples', (ctx) => {
  const workers: WorkerHandle[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
  });

  async function poolWithTraffic(prefix: string) {
    const redis = ctx.redis();
    const manager = new ProxyManager({ redis, prefix });
    await manager.upsertPool({ name: 'smp', failureThreshold: 1 });
    await manager.addProxies('smp', ['http://u:secret@10.8.0.1:8080', 'http://10.8.0.2:8080']);
    const failing = await manager.acquireProxy({ pool: 'smp' });
    if (!failing) throw new Error('expected a lease');
    await manager.releaseProxy(failing, { ok: false, error: 'network' }); // circuit opens
    const held = await manager.acquireProxy({ pool: 'smp' });
    expect(held).not.toBeNull();
    return { redis, manager };
  }

  it('appends one point per pool with counters and live figures, and writes nothing else', async () => {
    const prefix = ctx.uniquePrefix();
    const { redis, manager } = await poolWithTraffic(prefix);
    const deps = { manager, redis, statsReader: new PoolStatsReader(redis, manager.keys) };
    const key = manager.keys.samples('smp');
    const before = await keyspace(redis, prefix);
    const lines: string[] = [];
    expect(await recordPoolSamples(deps, async (l) => void lines.push(l))).toEqual({
      pools: 1,
      sampled: 1,
    });
    const after = await keyspace(redis, prefix);
    after.delete(key);
    expect(after).toEqual(before);
    expect(lines).toEqual(['sampled 1 pool(s)']);

    const [[id, flat]] = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [[string, string[]]];
    const serverMs = Number((await redis.time())[0]) * 1000;
    expect(Math.abs(Number(id.split('-')[0]) - serverMs)).toBeLessThan(5_000);
    expect(fieldsOf(flat)).toEqual({
      acquires: '2',
      successes: '0',
      available: '1', // no concurrency cap: the leased proxy stays leasable
      leases: '1',
      open: '1',
      'f:network': '1',
    });
    expect(JSON.stringify(flat)).not.toContain('secret');
  });

  it('keeps the series capped', async () => {
    const prefix = ctx.uniquePrefix();
    const { redis, manager } = await poolWithTraffic(prefix);
    const deps = { manager, redis, statsReader: new PoolStatsReader(redis, manager.keys) };
    for (let i = 0; i < SAMPLES_KEPT + 300; i += 1) await recordPoolSamples(deps);
    const length = await redis.xlen(manager.keys.samples('smp'));
    // MAXLEN ~ trims whole stream nodes (100 entries by default).
    expect(length).toBeGreaterThanOrEqual(SAMPLES_KEPT);
    expect(length).toBeLessThanOrEqual(SAMPLES_KEPT + 100);
  }, 60_000);

  it('the worker records samples on its pool-samples schedule', async () => {
    const prefix = ctx.uniquePrefix();
    const { redis, manager } = await poolWithTraffic(prefix);
    const worker = await startTestWorker(ctx, prefix, {
      intervals: {
        leaseExpiryMs: 60_000,
        cooldownRecoveryMs: 60_000,
        persistErrorLogsMs: 60_000,
        poolSamplesMs: 100,
      },
    });
    workers.push(worker);
    await waitFor(
      'three samples',
      async () => (await redis.xlen(manager.keys.samples('smp'))) >= 3,
      15_000,
      50,
    );
    const jobs = await worker.queue.getJobs(['completed'], 0, -1);
    const job = jobs.find((j) => j.name === 'pool-samples');
    expect(job?.returnvalue).toEqual({ pools: 1, sampled: 1 });
  });
});
