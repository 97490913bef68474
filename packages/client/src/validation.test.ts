import { ValidationError } from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls, snapshotKeys } from '../test/testSupport.js';
import { ProxyManager } from './proxyManager.js';

/** Runs `call`, expects a typed error naming `field`, and proves nothing under the prefix changed. */
async function rejectsWritingNothing(
  redis: Parameters<typeof snapshotKeys>[0],
  prefix: string,
  call: () => Promise<unknown>,
  expected: { code?: string; field?: string | RegExp },
): Promise<void> {
  const before = await snapshotKeys(redis, prefix);
  // The pool exists, so an empty snapshot would mean the check itself is broken.
  expect(Object.keys(before).length).toBeGreaterThan(0);
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to throw').toBeDefined();
  expect(error).toMatchObject({ code: expected.code ?? 'VALIDATION' });
  if (expected.field !== undefined)
    expect((error as ValidationError).field).toMatch(expected.field);
  expect(String((error as Error).message)).not.toContain('s3cret');
  expect(await snapshotKeys(redis, prefix)).toEqual(before);
}

describeEachTarget('ProxyManager input validation', (ctx) => {
  it('rejects a batch with one bad proxy and adds none of it', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(2));
    const good = proxyUrls(3, 10);
    const cases: [unknown, RegExp][] = [
      ['http://user:s3cret@10.0.0.1:99999', /^proxies\[3\]\.url\.port$/],
      ['http://user:s3cret@10.0.0.1:0', /^proxies\[3\]\.url\.port$/],
      ['ftp://user:s3cret@10.0.0.1:21', /^proxies\[3\]\.url\.protocol$/],
      ['http://user:s3cret@[::1:8080', /^proxies\[3\]\.url\.host$/],
      ['not a url', /^proxies\[3\]\.url$/],
      [{ url: 'http://10.0.0.1:80', maxConcurrency: 0 }, /^proxies\[3\]\.maxConcurrency$/],
      [{ url: 'http://10.0.0.1:80', maxConcurrency: -1 }, /^proxies\[3\]\.maxConcurrency$/],
      [{ url: 'http://10.0.0.1:80', maxConcurrency: 1.5 }, /^proxies\[3\]\.maxConcurrency$/],
      // Any label name is fine (planet: 'mars' too); one that is not a name is not.
      [{ url: 'http://10.0.0.1:80', labels: { Planet: 'mars' } }, /^proxies\[3\]\.labels\.Planet$/],
      [{ url: 'http://10.0.0.1:80', tags: ['has space'] }, /^proxies\[3\]\.tags\[0\]$/],
      [{ url: 'http://10.0.0.1:80', color: 'red' }, /^proxies\[3\]\.color$/],
    ];
    for (const [bad, field] of cases) {
      await rejectsWritingNothing(
        ctx.redis(),
        prefix,
        () => manager.addProxies(pool, [...good, bad as string]),
        {
          field,
        },
      );
    }
  });

  it('rejects adding to an unknown pool and writes nothing', async () => {
    const { manager, prefix } = await freshPool(ctx);
    await rejectsWritingNothing(
      ctx.redis(),
      prefix,
      () => manager.addProxies('ghost', proxyUrls(3)),
      {
        code: 'POOL_NOT_FOUND',
        field: 'pool',
      },
    );
  });

  it('rejects bad acquire options naming the field, and an unknown pool, writing nothing', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(2));
    const bad: [Record<string, unknown>, string | RegExp, string?][] = [
      [{ pool, durationSeconds: 0 }, 'options.durationSeconds'],
      [{ pool, durationSeconds: -5 }, 'options.durationSeconds'],
      [{ pool, durationSeconds: Number.NaN }, 'options.durationSeconds'],
      [{ pool, selector: 'fastest' }, 'options.selector'],
      [{ pool, consumer: '' }, 'options.consumer'],
      [{ pool, filters: { Planet: 'mars' } }, 'options.filters.Planet'],
      [{ pool, filters: { anyOf: [] } }, 'options.filters.anyOf'],
      [{ pool, filters: { noneOf: [{}] } }, 'options.filters.noneOf[0]'],
      [{ pool, filters: { exclude: ['not-an-id'] } }, 'options.filters.exclude[0]'],
      [{ pool: 'bad{pool}' }, 'options.pool'],
      [{ pool, speed: 'fast' }, 'options.speed'],
      [{ pool: 'ghost' }, 'pool', 'POOL_NOT_FOUND'],
    ];
    for (const [options, field, code] of bad) {
      await rejectsWritingNothing(
        ctx.redis(),
        prefix,
        () => manager.acquireProxy(options as Parameters<ProxyManager['acquireProxy']>[0]),
        {
          field:
            typeof field === 'string' ? new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}$`) : field,
          ...(code ? { code } : {}),
        },
      );
    }
  });

  it('rejects bad pool settings, extend and release input, writing nothing', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const lease = await manager.acquireProxy({ pool });
    if (!lease) throw new Error('expected a lease');
    const calls: [() => Promise<unknown>, RegExp][] = [
      [
        () => manager.upsertPool({ name: pool, selector: 'fastest' as 'round-robin' }),
        /^pool\.selector$/,
      ],
      [() => manager.upsertPool({ name: pool, leaseSeconds: 0 }), /^pool\.leaseSeconds$/],
      [() => manager.upsertPool({ name: pool, failureThreshold: 0 }), /^pool\.failureThreshold$/],
      [
        () => manager.upsertPool({ name: pool, cooldown: { baseSeconds: 10, maxSeconds: 5 } }),
        /^pool\.cooldown\.maxSeconds$/,
      ],
      [() => manager.upsertPool({ name: '' }), /^pool\.name$/],
      [() => manager.extendLease(lease, 0), /^seconds$/],
      [() => manager.extendLease({ ...lease, proxyId: 'zz' }, 5), /^lease\.proxyId$/],
      [() => manager.releaseProxy({ ...lease, id: '' }), /^lease\.id$/],
      [() => manager.removeProxy(pool, 'nope'), /^proxyId$/],
      [() => manager.listProxies(pool, { limit: 0 }), /^options\.limit$/],
      [() => manager.acquireProxyWithRetry({ pool, maxAttempts: 0 }), /^options\.maxAttempts$/],
    ];
    for (const [call, field] of calls)
      await rejectsWritingNothing(ctx.redis(), prefix, call, { field });
  });

  it('rejects bad constructor options with a typed error', () => {
    expect(() => new ProxyManager({ redis: 'http://nope' })).toThrow(ValidationError);
    expect(() => new ProxyManager({ redis: ctx.redis(), prefix: 'a{b}' })).toThrow(
      /options\.prefix/,
    );
    for (const connections of [0, 17, 1.5])
      expect(() => new ProxyManager({ redis: ctx.redis(), connections })).toThrow(
        /options\.connections/,
      );
  });
});
