import { ProxyManager } from '@leasehold/client';
import { ERROR_CATEGORIES } from '@leasehold/core';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { parsePrometheus, series, startTestWorker } from '../../test/testSupport.js';
import type { ErrorLogStore } from '../errorLog/errorLogStore.js';
import type { WorkerHandle } from '../worker.js';
import { checkHealth } from './health.js';

// The worker replicas run in this process: they read the moved clock too.
useTestClockLibrary();

const LONG = { leaseExpiryMs: 60_000, cooldownRecoveryMs: 60_000, persistErrorLogsMs: 60_000 };

async function scrape(handle: WorkerHandle): Promise<Map<string, number>> {
  const response = await fetch(`${handle.metricsUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parsePrometheus(await response.text());
}

describeEachTarget('worker metrics and health', (ctx) => {
  const replicas: WorkerHandle[] = [];
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.close()));
  });

  it('/metrics reports the shared Redis state, the same from every replica', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'shop', failureThreshold: 1 });
    await manager.addProxies(
      'shop',
      Array.from({ length: 4 }, (_, i) => `http://u:pw${i}@10.4.0.${i + 1}:8080`),
    );
    const take = async () => {
      const lease = await manager.acquireProxy({ pool: 'shop' });
      if (!lease) throw new Error('expected a lease');
      return lease;
    };
    await manager.releaseProxy(await take(), { ok: true, latencyMs: 30 });
    await manager.releaseProxy(await take(), { ok: true, latencyMs: 700 });
    await manager.releaseProxy(await take(), { ok: false, error: 'timeout', latencyMs: 4_000 }); // opens its circuit
    await manager.releaseProxy(await take(), { ok: false, error: 'rate_limit', statusCode: 429 });
    await manager.acquireProxy({ pool: 'shop', durationSeconds: 5 }); // will expire
    await take(); // stays live
    await TestClock.forPool(ctx.redis(), manager.keys, 'shop').advance(5_000);
    // Scrapes are read-only: reclaim the expired lease now, so both replicas and the API
    // below agree whatever the worker's first lease-expiry run does meanwhile.
    await manager.cleanupExpiredLeases('shop');

    replicas.push(
      await startTestWorker(ctx, prefix, { intervals: LONG }),
      await startTestWorker(ctx, prefix, { intervals: LONG }),
    );
    const [a, b] = await Promise.all(replicas.map(scrape));
    const metrics = a as Map<string, number>;
    const stats = await manager.getPoolStats('shop');
    const counters = await manager.getPoolCounters('shop');
    const pool = { pool: 'shop' };
    const value = (name: string, labels: Record<string, string> = pool) =>
      metrics.get(series(name, labels));

    // Against the API's view of Redis ...
    expect(value('proxy_selections_total')).toBe(counters.selections);
    expect(value('proxy_successes_total')).toBe(counters.successes);
    for (const category of ERROR_CATEGORIES)
      expect(value('proxy_failures_total', { pool: 'shop', category })).toBe(
        counters.failures[category] ?? 0,
      );
    expect(value('proxy_circuit_breaker_opens_total')).toBe(counters.circuitOpens);
    expect(value('leases_expired_total')).toBe(counters.leasesExpired);
    expect(value('leases_active')).toBe(stats.totalLeases);
    expect(value('pool_proxies')).toBe(stats.totalProxies);
    expect(value('pool_proxies_available')).toBe(stats.availableProxies);
    expect(value('pool_open_circuits')).toBe(stats.openCircuits);
    // ... and against what we did.
    expect(counters).toMatchObject({
      selections: 6,
      successes: 2,
      circuitOpens: 1,
      leasesExpired: 1,
    });
    expect(counters.failures).toMatchObject({ timeout: 1 });
    expect(stats).toMatchObject({ totalProxies: 4, totalLeases: 1, openCircuits: 1 });

    // The histogram: cumulative buckets in seconds, from the Redis per-bucket counts.
    const bucket = (le: string) =>
      value('proxy_response_time_seconds_bucket', { pool: 'shop', le });
    expect(bucket('0.05')).toBe(1);
    expect(bucket('0.5')).toBe(1);
    expect(bucket('1')).toBe(2);
    expect(bucket('5')).toBe(3);
    expect(bucket('+Inf')).toBe(3);
    expect(value('proxy_response_time_seconds_count')).toBe(counters.latency.count);
    expect(value('proxy_response_time_seconds_sum')).toBeCloseTo(counters.latency.sumMs / 1000, 6);

    // Every replica reads the same truth (process metrics aside).
    const poolSeries = (m: Map<string, number>) =>
      [...m].filter(([key]) => key.includes('pool="shop"')).sort(([x], [y]) => x.localeCompare(y));
    expect(poolSeries(b as Map<string, number>)).toEqual(poolSeries(metrics));
    expect(poolSeries(metrics).length).toBeGreaterThan(20);
  });

  it('/healthz says whether Redis (and PostgreSQL, when configured) answer', async () => {
    const replica = await startTestWorker(ctx, ctx.uniquePrefix(), { intervals: LONG });
    replicas.push(replica);
    const response = await fetch(`${replica.metricsUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      checks: { redis: 'ok', postgres: 'not_configured' },
    });
    expect((await fetch(`${replica.metricsUrl}/nope`)).status).toBe(404);

    const brokenStore = {
      ping: () => Promise.reject(new Error('connect ECONNREFUSED')),
    } as unknown as ErrorLogStore;
    expect(await checkHealth(ctx.redis(), brokenStore)).toEqual({
      status: 'down',
      checks: { redis: 'ok', postgres: 'down' },
      errors: { postgres: 'connect ECONNREFUSED' },
    });
  });
});
