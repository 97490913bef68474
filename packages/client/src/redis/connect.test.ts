import { RedisConnectionError, ValidationError } from '@leasehold/core';
import { describeEachTarget, findFreePort } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { closeRedis, connectRedis } from './connect.js';
import type { RedisEndpoint } from './endpoint.js';

describeEachTarget('connectRedis and closeRedis', (ctx) => {
  it('resolves a ready client for the endpoint, and closes it (twice is fine)', async () => {
    const client = await connectRedis(ctx.target, { connectionName: 'lh-connect-test' });
    expect(client.status).toBe('ready');
    const prefix = ctx.uniquePrefix();
    await client.set(`${prefix}:k`, 'v');
    expect(await ctx.redis().get(`${prefix}:k`)).toBe('v');
    await closeRedis(client);
    expect(client.status).toBe('end');
    await closeRedis(client);
  });

  it('an endpoint nobody answers on is a typed error naming it without its password', async () => {
    const port = await findFreePort();
    const endpoint: RedisEndpoint =
      ctx.target.kind === 'standalone'
        ? { kind: 'standalone', url: `redis://lh:hunter2@127.0.0.1:${port}` }
        : { kind: 'cluster', nodes: [{ host: '127.0.0.1', port }], password: 'hunter2' };
    const error = await connectRedis(endpoint, { retryStrategy: () => null }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect(error).toMatchObject({ code: 'REDIS_CONNECTION_FAILED', field: 'redis' });
    expect((error as Error).message).toContain(`***@127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('refuses a malformed endpoint or timeout, naming it, before opening anything', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => connectRedis({ kind: 'cluster', nodes: [] }), 'redis.nodes'],
      [
        () => connectRedis({ kind: 'cluster', nodes: [{ host: 'h', port: 0 }] }),
        'redis.nodes[0].port',
      ],
      [() => connectRedis('http://127.0.0.1:6380'), 'redis'],
      [() => connectRedis(ctx.target, { readyTimeoutMs: 0 }), 'readyTimeoutMs'],
    ];
    for (const [call, field] of cases) {
      const error = await call().catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });
});
