import { gatewaySessionToken, ProxyNotFoundError, ValidationError } from '@leasehold/core';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

useTestClockLibrary();

describeEachTarget('health-check plumbing: claimHealthChecks and recordHealthCheck', (ctx) => {
  it('claims open circuits once per interval, with a gateway template filled by a stable probe token', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 1 });
    // The socks5 proxy stays closed: never claimed.
    const [gateway] = await manager.addProxies(pool, [
      'http://customer-acme-session-{session}:pw@10.0.0.1:8080',
      'socks5://bob:hunter2@10.0.0.2:1080',
    ]);
    const clock = TestClock.forPool(ctx.redis(), manager.keys, pool);
    // Nothing is out yet: nothing to probe.
    expect(await manager.claimHealthChecks(pool, { intervalSeconds: 60 })).toEqual([]);
    await manager.releaseProxy((await manager.acquireProxy({ pool })) as Lease, {
      ok: false,
      error: 'network',
    });
    const [claimed, ...rest] = await manager.claimHealthChecks(pool, { intervalSeconds: 60 });
    expect(rest).toEqual([]);
    const token = gatewaySessionToken(`health-check:${gateway?.id}`);
    expect(claimed).toEqual({
      proxyId: gateway?.id,
      proxy: {
        url: `http://customer-acme-session-${token}:pw@10.0.0.1:8080`,
        protocol: 'http',
        host: '10.0.0.1',
        port: 8080,
        username: `customer-acme-session-${token}`,
        password: 'pw',
      },
    });
    expect(await manager.claimHealthChecks(pool, { intervalSeconds: 60 })).toEqual([]);
    await clock.advance(60_000);
    const again = await manager.claimHealthChecks(pool, { intervalSeconds: 60 });
    expect(again.map((t) => t.proxy.username)).toEqual([`customer-acme-session-${token}`]);

    // A failed probe keeps it out; a passed one closes it.
    expect(
      await manager.recordHealthCheck(pool, gateway?.id as string, {
        ok: false,
        category: 'server',
        statusCode: 502,
        message: 'bad gateway via http://customer-acme:pw@10.0.0.1:8080',
      }),
    ).toBe('kept_out');
    const [entry] = await manager.getErrorLog(pool, { proxyId: gateway?.id as string, limit: 1 });
    expect(entry).toMatchObject({ type: 'failure', category: 'server', probe: true });
    expect(entry?.message).not.toContain(':pw@');
    expect(
      await manager.recordHealthCheck(pool, gateway?.id as string, { ok: true, latencyMs: 40 }),
    ).toBe('closed');
    expect(await manager.getProxyState(pool, gateway?.id as string)).toMatchObject({
      circuit: 'closed',
    });
    expect(await manager.getProxyHealth(pool, gateway?.id as string)).toMatchObject({
      successes: 1,
      failures: 2,
    });
  });

  it('short rests crowding the cooldowns index never hide an open circuit from the claim', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 1 });
    await manager.addProxies(
      pool,
      proxyUrls(6).map((url) => ({ url, maxConcurrency: 1 })),
    );
    const leases = await Promise.all(
      Array.from({ length: 6 }, () => manager.acquireProxy({ pool, selector: 'first-available' })),
    );
    const [failed, ...rest] = leases as Lease[];
    expect(new Set(leases.map((l) => l?.proxyId)).size).toBe(6);
    await manager.releaseProxy(failed as Lease, { ok: false, error: 'network' });
    for (const lease of rest)
      await manager.releaseProxy(lease, { ok: false, error: 'rate_limit', retryAfterMs: 10_000 });
    // Six proxies in cooldowns: five rate-limit rests due in 10 s, one circuit open for 60 s.
    const claimed = await manager.claimHealthChecks(pool, { intervalSeconds: 60, scanLimit: 2 });
    expect(claimed.map((t) => t.proxyId)).toEqual([failed?.proxyId]);
  });

  it('rejects bad input with typed errors, writing nothing', async () => {
    const { manager, pool } = await freshPool(ctx);
    const [proxy] = await manager.addProxies(pool, ['http://u:p@10.0.0.9:8080']);
    const id = proxy?.id as string;
    for (const [call, field] of [
      [() => manager.recordHealthCheck(pool, id, { ok: false }), 'category'],
      [() => manager.recordHealthCheck(pool, id, { ok: true, latencyMs: -1 }), 'latencyMs'],
      [() => manager.claimHealthChecks(pool, { intervalSeconds: 0 }), 'intervalSeconds'],
    ] as const) {
      const error = await call().catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field, field).toContain(field);
    }
    await expect(
      manager.recordHealthCheck(pool, 'ffffffffffffffff', { ok: true }),
    ).rejects.toBeInstanceOf(ProxyNotFoundError);
    expect(await manager.getProxyHealth(pool, id)).toMatchObject({ requests: 0 });
  });
});
