import { classifyOutcome, LIMITS, ValidationError } from '@leasehold/core';
import { describeEachTarget, type RedisClient, scanKeys } from '@leasehold/testing';
import { expect, it } from 'vitest';
import type { Lease } from './index.js';
import { freshPool, proxyUrls } from './testSupport.js';

/** Every key under a prefix as its DUMP bytes: equal snapshots mean not one byte changed. */
async function dumpKeys(redis: RedisClient, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of (await scanKeys(redis, `${prefix}:*`)).sort()) {
    const dump = await redis.dumpBuffer(key);
    out[key] = dump === null ? '(gone)' : dump.toString('base64');
  }
  return out;
}

/** `call` throws a ValidationError naming `field`, and the keyspace is byte-for-byte unchanged. */
async function rejectsUnchanged(
  redis: RedisClient,
  prefix: string,
  call: () => Promise<unknown>,
  field: string | RegExp,
): Promise<ValidationError> {
  const before = await dumpKeys(redis, prefix);
  expect(Object.keys(before).length).toBeGreaterThan(0);
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).field).toMatch(field);
  expect(await dumpKeys(redis, prefix)).toEqual(before);
  return error as ValidationError;
}

const LONE = '\uD800';
const DAY = 86_400;

describeEachTarget('input hardening', (ctx) => {
  it('a 1,000-proxy batch with a lone surrogate at entry 700 names it and writes nothing', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    const batch = proxyUrls(1000).map((url, i) => ({
      url,
      labels: { city: i === 700 ? `Lima${LONE}` : 'Lima' },
    }));
    await rejectsUnchanged(
      ctx.redis(),
      prefix,
      () => manager.addProxies(pool, batch),
      /^proxies\[700\]\.labels\.city$/,
    );
  });

  it('numbers past 30 days are rejected before anything is written', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const redis = ctx.redis();
    const cases: [() => Promise<unknown>, string][] = [
      [() => manager.acquireProxy({ pool, durationSeconds: 1e14 }), 'options.durationSeconds'],
      [() => manager.upsertPool({ name: pool, leaseSeconds: 1e14 }), 'pool.leaseSeconds'],
      [
        () => manager.upsertPool({ name: pool, cooldown: { baseSeconds: 60, maxSeconds: 1e14 } }),
        'pool.cooldown.maxSeconds',
      ],
      [
        () => manager.upsertPool({ name: pool, session: { maxAgeSeconds: 31 * DAY } }),
        'pool.session.maxAgeSeconds',
      ],
      [
        () => manager.upsertPool({ name: 'other', failureThreshold: 1e12 }),
        'pool.failureThreshold',
      ],
      [() => manager.acquireProxy({ pool, waitMs: 1e12 }), 'options.waitMs'],
    ];
    for (const [call, field] of cases) await rejectsUnchanged(redis, prefix, call, field);

    const lease = (await manager.acquireProxy({ pool, durationSeconds: 30 * DAY })) as Lease;
    expect(lease.expiresAt - lease.acquiredAt).toBe(30 * DAY * 1000);
    await rejectsUnchanged(redis, prefix, () => manager.extendLease(lease, 1e14), 'seconds');
    await rejectsUnchanged(
      redis,
      prefix,
      () => manager.releaseProxy(lease, { ok: false, error: 'rate_limit', retryAfterMs: 1e14 }),
      'outcome.retryAfterMs',
    );
    expect(await manager.releaseProxy(lease)).toEqual({ released: true });
  });

  it('malformed strings and oversized inputs are named, never a raw error', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const redis = ctx.redis();
    const lease = (await manager.acquireProxy({ pool })) as Lease;
    const manyIds = Array.from({ length: LIMITS.maxExclude + 1 }, (_, i) =>
      i.toString(16).padStart(16, '0'),
    );
    const clause = { city: 'Lima' };
    const cases: [() => Promise<unknown>, string | RegExp][] = [
      [() => manager.acquireProxy({ pool, consumer: `w${LONE}` }), 'options.consumer'],
      [() => manager.acquireProxy({ pool, scope: `a.com${LONE}` }), 'options.scope'],
      [
        () => manager.acquireProxy({ pool, filters: { exclude: manyIds } }),
        'options.filters.exclude',
      ],
      [
        () =>
          manager.acquireProxy({
            pool,
            filters: { anyOf: Array(LIMITS.maxClauses + 1).fill(clause) },
          }),
        'options.filters.anyOf',
      ],
      [
        () =>
          manager.acquireProxy({ pool, filters: { tags: Array(LIMITS.maxTags + 1).fill('t') } }),
        'options.filters.tags',
      ],
      [
        () => manager.releaseProxy(lease, { ok: false, error: 'network', message: `x${LONE}` }),
        'outcome.message',
      ],
      [
        () => manager.recordResult(lease, { ok: true, sessionData: '€'.repeat(30_000) }),
        'outcome.sessionData',
      ],
      [() => manager.transitionProxyState(pool, lease.proxyId, 'disabled', `why${LONE}`), 'reason'],
      [() => manager.addProxies(pool, ['http://[fe80::1%eth0]:80']), 'proxies[0].url.host'],
      [() => manager.addProxies(pool, ['http://us%zzer:p%@host:1']), 'proxies[0].url.username'],
      [
        () => manager.addProxies(pool, [`http://u:${'x'.repeat(1024 * 1024)}@host:1`]),
        'proxies[0].url',
      ],
      [() => manager.upsertPool({ name: `p${LONE}` }), 'pool.name'],
    ];
    for (const [call, field] of cases) await rejectsUnchanged(redis, prefix, call, field);
    expect(await manager.releaseProxy(lease)).toEqual({ released: true });
  });

  it('whatever classifyOutcome is given, the lease it reports on is released', async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 1000 });
    await manager.addProxies(pool, proxyUrls(1));
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    const inputs: Parameters<typeof classifyOutcome>[0][] = [
      { statusCode: 429, retryAfter: '172800' },
      { statusCode: 429, retryAfter: 'Fri, 31 Dec 9999 23:59:59 GMT' },
      { statusCode: 429, retryAfter: 'Thu, 01 Jan 1970 00:00:00 GMT' },
      { statusCode: 503, retryAfter: '1e400' },
      { statusCode: 999 },
      { statusCode: 0 },
      { statusCode: Number.NaN },
      { statusCode: 70_000, error: new Error('x') },
      {},
      { error: loop },
    ];
    for (const input of inputs) {
      const lease = (await manager.acquireProxy({ pool })) as Lease;
      const outcome = classifyOutcome(input);
      expect(await manager.releaseProxy(lease, outcome)).toEqual({ released: true });
      // A rate limit rests the proxy: lift it so the next case finds it free.
      await manager.resetProxy(pool, lease.proxyId);
    }
    const state = await manager.getProxyState(pool, (await manager.listProxies(pool))[0]?.id ?? '');
    expect(state.activeLeases).toBe(0);
  });

  it("scrubs the lease's own password from stored messages in every form", async () => {
    const { manager, pool } = await freshPool(ctx, { failureThreshold: 1000 });
    const password = 'p/ss w0rd"<>';
    const encoded = encodeURIComponent(password);
    await manager.addProxies(pool, [`http://user-ar:${encoded}@10.9.0.1:8080`]);
    const basic = Buffer.from(`user-ar:${password}`).toString('base64');
    const messages = [
      `via http://user-ar:${password}@10.9.0.1:8080 failed`,
      `via http://user-ar:${encoded}@10.9.0.1:8080 failed`,
      `proxy=user-ar:${password}@10.9.0.1:8080`,
      `{"user":"user-ar","password":${JSON.stringify(password)}}`,
      `Proxy-Authorization: Basic ${basic}`,
      `auth header ${basic} rejected`,
    ];
    for (const message of messages) {
      const lease = (await manager.acquireProxy({ pool })) as Lease;
      expect(lease.proxy.password).toBe(password);
      await manager.releaseProxy(lease, { ok: false, error: 'server', statusCode: 502, message });
    }
    // A bare lease ref carries no credentials: the patterns still mask URL userinfo.
    const lease = (await manager.acquireProxy({ pool })) as Lease;
    await manager.releaseProxy(
      { id: lease.id, pool: lease.pool, proxyId: lease.proxyId },
      { ok: false, error: 'server', message: `via http://user-ar:q"uo<t>e@10.9.0.1:8080` },
    );

    const stored = (await manager.getErrorLog(pool, { limit: 100 }))
      .filter((e) => e.type === 'failure')
      .map((e) => (e as { message?: string }).message ?? '');
    expect(stored).toHaveLength(messages.length + 1);
    for (const text of stored)
      for (const secret of ['p/ss', 'w0rd', encoded, basic.slice(0, 16), 'q"uo'])
        expect(text).not.toContain(secret);
    expect(stored.join('\n')).toContain('10.9.0.1:8080');
  });
});
