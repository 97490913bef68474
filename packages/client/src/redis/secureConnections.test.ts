import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { RedisConnectionError } from '@leasehold/core';
import { aclDenials, applyAcl, describeEachSecureTarget, secureClient } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';
import { createRedisClient } from './connect.js';
import type { RedisEndpoint } from './endpoint.js';

/** Every kind of call the manager makes, so a missing permission cannot hide. */
async function useEverything(manager: ProxyManager, pool: string): Promise<void> {
  await manager.upsertPool({ name: pool, failureThreshold: 2, maxSessions: 5 });
  expect(await manager.getPool(pool)).not.toBeNull();
  expect(await manager.listPools()).toContain(pool);
  const [a, b, c] = await manager.addProxies(
    pool,
    proxyUrls(3).map((url, i) => ({
      url,
      maxConcurrency: 1,
      labels: { country: i === 0 ? 'AR' : 'BR' },
      tags: ['residential'],
    })),
  );
  if (!a || !b || !c) throw new Error('three proxies expected');
  const lease = await manager.acquireProxy({
    pool,
    filters: { country: 'AR', tags: ['residential'] },
    session: true,
    scope: 'shop.example',
    durationSeconds: 30,
  });
  expect(lease?.proxyId).toBe(a.id);
  if (!lease) return;
  await manager.recordResult(lease, { ok: true, latencyMs: 120 });
  await manager.extendLease(lease, 30);
  // Nothing else is AR: a waiting acquire subscribes to the pool's capacity channel.
  const waiting = manager.acquireProxy({ pool, filters: { country: 'AR' }, waitMs: 2_000 });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await manager.releaseProxy(lease, { ok: false, error: 'rate_limit', statusCode: 429 });
  const woken = await waiting;
  if (woken) await manager.releaseProxy(woken);
  // Failures bench proxies below the minimum; turning it off lifts the benches in a walk.
  await manager.upsertPool({ name: pool, minHealthScore: 0.9 });
  for (let i = 0; i < 2; i++) {
    const failing = await manager.acquireProxy({ pool, filters: { country: 'BR' } });
    if (failing) await manager.releaseProxy(failing, { ok: false, error: 'network' });
  }
  expect((await manager.getProxyState(pool, b.id)).benched).toBe(true);
  await manager.upsertPool({ name: pool, minHealthScore: 0 });
  expect((await manager.getProxyState(pool, b.id)).benched).toBe(false);
  await manager.getPoolStats(pool);
  await manager.getPoolCounters(pool);
  await manager.getProxyState(pool, b.id);
  await manager.getProxyHealth(pool, b.id);
  await manager.getAllProxyHealth(pool);
  await manager.listProxies(pool, { limit: 10 });
  if (lease.session) {
    await manager.getSessionState(pool, lease.session.id);
    await manager.transitionSessionState(pool, lease.session.id, 'disabled', 'test');
  }
  await manager.transitionProxyState(pool, c.id, 'disabled', 'test');
  await manager.transitionProxyState(pool, c.id, 'active', 'test');
  await manager.resetProxy(pool, b.id);
  expect((await manager.getErrorLog(pool, { limit: 50 })).length).toBeGreaterThan(0);
  await manager.cleanupExpiredLeases(pool);
  await manager.recoverCooldowns(pool);
  // Health indexes built in batches, then dropped.
  await manager.upsertPool({ name: pool, healthIndexes: true });
  await manager.upsertPool({ name: pool, healthIndexes: false });
  await manager.removeProxy(pool, c.id);
  await manager.scriptLibraries();
}

describeEachSecureTarget('TLS, an ACL user and the default user off', 'client', (ctx) => {
  it("runs every manager call under exactly README's client ACL, with nothing denied", async () => {
    const client = secureClient(ctx.redis(), ctx.user());
    // The ACL's patterns are for the default prefix `lh`.
    const manager = new ProxyManager({ redis: client, connections: 2 });
    try {
      await useEverything(manager, `acl-${randomBytes(4).toString('hex')}`);
    } finally {
      await manager.close();
      await client.quit();
    }
    expect(await aclDenials(ctx.redis())).toEqual([]);
  });

  it('a wrong password is REDIS_AUTH_FAILED, and the password appears nowhere', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const redis = ctx.redis();
    const user = { username: ctx.user().username, password: wrong };
    const endpoint: RedisEndpoint =
      redis.kind === 'cluster'
        ? { kind: 'cluster', nodes: redis.nodes, ...user, tls: true }
        : { kind: 'standalone', url: redis.url(user) };
    // As the CLI and the worker open theirs; the CA given in code (NODE_EXTRA_CA_CERTS is
    // read at process start, so the child-process tests of the CLI and worker use that).
    const client = createRedisClient(endpoint, {
      tls: { ca: redis.ca },
      maxRetriesPerRequest: 3,
    });
    const manager = new ProxyManager({ redis: client });
    try {
      const error = await manager.listPools().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect((error as RedisConnectionError).code).toBe('REDIS_AUTH_FAILED');
      expect((error as RedisConnectionError).field).toBe('redis');
      expect(inspect(error, { depth: 10 })).not.toContain(wrong);
    } finally {
      await manager.close();
      client.disconnect();
    }
  });

  it('a user without a needed permission gets REDIS_NO_PERMISSION', async () => {
    const limited = { username: 'lh-reader', password: randomBytes(8).toString('hex') };
    await applyAcl(ctx.redis(), {
      username: limited.username,
      lines: [
        `ACL SETUSER ${limited.username} reset on >${limited.password} ~lh:* +ping +info +cluster|slots +cluster|info +smembers`,
      ],
    });
    const client = secureClient(ctx.redis(), limited);
    const manager = new ProxyManager({ redis: client });
    try {
      await expect(manager.upsertPool({ name: 'denied' })).rejects.toMatchObject({
        code: 'REDIS_NO_PERMISSION',
        field: 'redis',
      });
    } finally {
      await manager.close();
      await client.quit();
      await aclDenials(ctx.redis(), true);
    }
  });
});
