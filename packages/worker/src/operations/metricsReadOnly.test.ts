import { PoolNotFoundError, PoolStatsReader, ProxyManager } from '@leasehold/client';
import {
  describeEachTarget,
  type RedisClient,
  scanKeys,
  TestClock,
  useTestClockLibrary,
} from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { parsePrometheus, series } from '../../test/testSupport.js';
import { silentLogger } from '../logger.js';
import { checkHealth } from './health.js';
import { type OpsServer, startOpsServer } from './httpServer.js';
import { createMetricsRegistry } from './metrics.js';
import { PoolSnapshots } from './poolSnapshots.js';

// Due expiries and cooldowns are reached by moving the pool's clock, not by sleeping.
useTestClockLibrary();

/** Every key under the prefix with its DUMP: equal before and after means nothing was written. */
async function keyspace(redis: RedisClient, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await scanKeys(redis, `${prefix}*`)) {
    out.set(key, ((await redis.dumpBuffer(key)) ?? Buffer.alloc(0)).toString('hex'));
  }
  return out;
}

// A scrape once called getPoolStats, which reclaims due expiries, cooldowns and
// sessions first, so Prometheus polling every replica wrote to Redis.
describeEachTarget('/metrics is read-only', (ctx) => {
  const servers: OpsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('scraping leaves due expiries and cooldowns for the jobs, and writes nothing', async () => {
    const prefix = ctx.uniquePrefix();
    const redis = ctx.redis();
    const manager = new ProxyManager({ redis, prefix });
    await manager.upsertPool({
      name: 'ro',
      failureThreshold: 1,
      cooldown: { baseSeconds: 0.05 },
      session: { maxAgeSeconds: 0.05 },
    });
    await manager.addProxies('ro', ['http://u:p@10.7.0.1:8080', 'http://u:p@10.7.0.2:8080']);
    // The expiring lease first: no acquire may run after the circuit opens (an acquire
    // would recover the due cooldown itself).
    const expiring = await manager.acquireProxy({ pool: 'ro', durationSeconds: 1, session: true });
    expect(expiring).not.toBeNull();
    const failing = await manager.acquireProxy({ pool: 'ro' });
    if (!failing) throw new Error('expected a lease');
    await manager.releaseProxy(failing, { ok: false, error: 'network' }); // circuit opens
    // The lease, the cooldown and the session are now all due.
    await TestClock.forPool(redis, manager.keys, 'ro').advance(1_100);

    const snapshots = new PoolSnapshots(manager, new PoolStatsReader(redis, manager.keys), 0);
    const server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      registry: createMetricsRegistry(snapshots, { processMetrics: false }),
      health: () => checkHealth(redis, undefined),
      logger: silentLogger(),
    });
    servers.push(server);

    const before = await keyspace(redis, prefix);
    let text = '';
    for (let i = 0; i < 3; i++) text = await (await fetch(`${server.url}/metrics`)).text();
    expect(await keyspace(redis, prefix)).toEqual(before);

    const metrics = parsePrometheus(text);
    const pool = { pool: 'ro' };
    // The expired lease is not live; nothing was reclaimed, so none counted as expired yet.
    expect(metrics.get(series('leases_active', pool))).toBe(0);
    expect(metrics.get(series('leases_expired_total', pool))).toBe(0);
    expect(metrics.get(series('pool_open_circuits', pool))).toBe(1);
    // The reclaiming read (the API's getPoolStats) then does what the scrape did not.
    await manager.getPoolStats('ro');
    expect(await keyspace(redis, prefix)).not.toEqual(before);
    expect((await manager.getPoolCounters('ro')).leasesExpired).toBe(1);
  });

  it('exports the proxy count as a gauge without a counter suffix', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'g' });
    await manager.addProxies('g', ['http://10.7.1.1:80', 'http://10.7.1.2:80']);
    const reader = new PoolStatsReader(ctx.redis(), manager.keys);
    await expect(reader.read('ghost')).rejects.toBeInstanceOf(PoolNotFoundError);
    const registry = createMetricsRegistry(new PoolSnapshots(manager, reader), {
      processMetrics: false,
    });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE pool_proxies gauge');
    expect(parsePrometheus(text).get(series('pool_proxies', { pool: 'g' }))).toBe(2);
    // Only counters end in _total.
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm))
      expect(name?.endsWith('_total')).toBe(type === 'counter');
  });
});
