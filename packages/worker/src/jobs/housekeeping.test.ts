import { ProxyManager } from '@leasehold/client';
import { describeEachTarget } from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { startTestWorker, waitFor } from '../../test/testSupport.js';
import type { WorkerHandle } from '../worker.js';
import { JobName } from './schedules.js';

const PROXY = 'http://scraper:s3cret-proxy-pw@10.1.0.1:8080';

describeEachTarget('worker housekeeping with no acquire traffic', (ctx) => {
  const replicas: WorkerHandle[] = [];
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.close()));
  });

  it('reclaims the lease of a client that disappeared', async () => {
    const prefix = ctx.uniquePrefix();
    replicas.push(await startTestWorker(ctx, prefix));
    const redis = ctx.redis();

    // A scraper with its own connection takes a short lease, then vanishes without releasing.
    const scraper = new ProxyManager({ redis: await ctx.newClient(), prefix });
    await scraper.upsertPool({ name: 'latam' });
    const [proxy] = await scraper.addProxies('latam', [{ url: PROXY, maxConcurrency: 1 }]);
    const lease = await scraper.acquireProxy({
      pool: 'latam',
      consumer: 'vanishing-scraper',
      durationSeconds: 0.3,
    });
    expect(lease).not.toBeNull();
    await scraper.close();

    const keys = scraper.keys.poolKeys('latam');
    // Raw reads only: every ProxyManager read would reclaim expired leases itself.
    await waitFor(
      'the lease deadline to be swept',
      async () => (await redis.zcard(keys.leaseDeadlines)) === 0,
      5_000,
    );
    expect(await redis.hget(keys.pool, 'stat:leasesExpired')).toBe('1');
    const entries = (await redis.xrange(keys.errorLog, '-', '+')) as [string, string[]][];
    const expired = entries
      .map(([, f]) => f)
      .filter((f) => f[f.indexOf('type') + 1] === 'lease_expired');
    expect(expired).toHaveLength(1);
    const fields = expired[0] as string[];
    expect(fields[fields.indexOf('consumer') + 1]).toBe('vanishing-scraper');
    expect(fields[fields.indexOf('leaseId') + 1]).toBe(lease?.id);
    expect(fields[fields.indexOf('proxyId') + 1]).toBe(proxy?.id);

    const manager = new ProxyManager({ redis, prefix });
    expect(await manager.getPoolStats('latam')).toMatchObject({
      totalLeases: 0,
      availableProxies: 1,
    });
    const done = await (replicas[0] as WorkerHandle).queue.getJobs(['completed'], 0, -1);
    expect(
      done.some(
        (job) =>
          job.name === JobName.LEASE_EXPIRY &&
          (job.returnvalue as { reclaimed: number }).reclaimed === 1,
      ),
    ).toBe(true);
  });

  it('turns an open circuit half-open on schedule', async () => {
    const prefix = ctx.uniquePrefix();
    const redis = ctx.redis();
    const manager = new ProxyManager({ redis, prefix });
    await manager.upsertPool({ name: 'eu', failureThreshold: 1, cooldown: { baseSeconds: 0.2 } });
    const [proxy] = await manager.addProxies('eu', [PROXY]);
    const lease = await manager.acquireProxy({ pool: 'eu' });
    if (!lease || !proxy) throw new Error('expected a lease');
    await manager.releaseProxy(lease, { ok: false, error: 'network', message: 'ECONNRESET' });
    const proxyKey = manager.keys.proxy('eu', proxy.id);
    expect(await redis.hget(proxyKey, 'circuit')).toBe('open');

    const opened = Date.now();
    replicas.push(await startTestWorker(ctx, prefix));
    await waitFor(
      'the circuit to become half-open',
      async () => (await redis.hget(proxyKey, 'circuit')) === 'half-open',
      5_000,
    );
    // Cooldown 0.2 s + one 0.2 s interval + start-up, not "whenever someone acquires".
    expect(Date.now() - opened).toBeLessThan(3_000);
    const entries = (await redis.xrange(manager.keys.poolKeys('eu').errorLog, '-', '+')) as [
      string,
      string[],
    ][];
    const transitions = entries
      .map(([, f]) => f)
      .filter((f) => f[f.indexOf('to') + 1] === 'half-open');
    expect(transitions).toHaveLength(1);
  });
});
