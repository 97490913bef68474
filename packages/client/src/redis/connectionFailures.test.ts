import { ClientClosedError, RedisConnectionError } from '@leasehold/core';
import {
  describeEachTarget,
  findFreePort,
  importPackageCopy,
  type RedisTarget,
  scanKeys,
} from '@leasehold/testing';
import { Cluster, Redis } from 'ioredis';
import { afterEach, expect, it, vi } from 'vitest';
import { proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';
import { isRedisClient } from './managerConnections.js';

/** A plain redis:// URL of the target (a cluster's first node, spoken to as one server). */
function serverUrl(target: RedisTarget): string {
  if (target.kind === 'standalone') return target.url;
  const node = target.nodes[0] as { host: string; port: number };
  return `redis://${node.host}:${node.port}`;
}

async function failureOf(promise: Promise<unknown>): Promise<RedisConnectionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RedisConnectionError);
  return error as RedisConnectionError;
}

describeEachTarget('Redis connection failures and foreign clients', (ctx) => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a database index Redis lacks (/99) is a typed error, never a write to database 0', async () => {
    const printed = vi.spyOn(console, 'error');
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: `${serverUrl(ctx.target)}/99`, prefix });
    try {
      const error = await failureOf(manager.upsertPool({ name: 'p' }));
      expect(error).toMatchObject({ code: 'REDIS_CONNECTION_FAILED', field: 'redis' });
      expect(error.message).toMatch(/has no database 99/);
      // Every later call says the same, and nothing was written anywhere.
      expect((await failureOf(manager.listPools())).message).toBe(error.message);
    } finally {
      await manager.close();
    }
    expect(await scanKeys(ctx.redis(), `${prefix}:*`)).toEqual([]);
    expect(printed.mock.calls.flat().join('\n')).not.toMatch(/Unhandled error event/);
  });

  it('an unreachable Redis is REDIS_CONNECTION_FAILED, naming the endpoint without its password', async () => {
    const port = await findFreePort();
    const printed = vi.spyOn(console, 'error');
    const manager = new ProxyManager({ redis: `redis://lh:hunter2@127.0.0.1:${port}/2` });
    try {
      const error = await failureOf(manager.listPools());
      expect(error.code).toBe('REDIS_CONNECTION_FAILED');
      expect(error.message).toContain(`redis://***@127.0.0.1:${port}/2`);
      expect(error.message).toContain('ECONNREFUSED');
      expect(`${error.message} ${error.hint}`).not.toContain('hunter2');
    } finally {
      await manager.close();
    }
    expect(printed.mock.calls.flat().join('\n')).not.toMatch(/Unhandled error event/);
  });

  it("leases through a client made by the user's own copy of ioredis", async () => {
    const copy = await importPackageCopy('ioredis', import.meta.url);
    const foreign = copy.module as { Redis: typeof Redis; Cluster: typeof Cluster };
    expect(foreign.Redis).not.toBe(Redis);
    const client =
      ctx.target.kind === 'cluster'
        ? new foreign.Cluster(ctx.target.nodes)
        : new foreign.Redis(ctx.target.url);
    try {
      expect(client instanceof Redis || client instanceof Cluster).toBe(false);
      expect(isRedisClient(client)).toBe(true);
      const manager = new ProxyManager({ redis: client, prefix: ctx.uniquePrefix() });
      await manager.upsertPool({ name: 'own' });
      await manager.addProxies('own', proxyUrls(2));
      const lease = await manager.acquireProxy({ pool: 'own' });
      expect(lease).not.toBeNull();
      if (lease)
        expect(await manager.releaseProxy(lease, { ok: true })).toMatchObject({ released: true });
      await manager.close();
      // Ours to keep: the manager left it open.
      expect(client.status).toBe('ready');
    } finally {
      await client.quit();
      await copy.remove();
    }
  });

  // A URL names one server: the manager owns (and closes) only a connection it opened.
  it.skipIf(ctx.target.kind === 'cluster')(
    'a call after close() is a typed error that says the connection is closed',
    async () => {
      const manager = new ProxyManager({
        redis: serverUrl(ctx.target),
        prefix: ctx.uniquePrefix(),
      });
      await manager.listPools();
      await manager.close();
      const error = await manager.listPools().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ClientClosedError);
      expect((error as ClientClosedError).message).toMatch(/is closed$/);
    },
  );

  it('still refuses what is not a client', () => {
    for (const value of [{}, { options: {}, status: 'ready' }, null, 'http://x', 42]) {
      expect(isRedisClient(value)).toBe(false);
      expect(() => new ProxyManager({ redis: value as never })).toThrow(/redis/);
    }
  });
});
