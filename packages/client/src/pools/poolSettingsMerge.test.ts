import { PoolSettingsSchema, ValidationError } from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { proxyUrls } from '../../test/testSupport.js';
import { ProxyManager } from '../proxyManager.js';

// upsertPool on an existing pool changes only the settings it is given.
describeEachTarget('upsertPool merges into an existing pool', (ctx) => {
  const manager = () => new ProxyManager({ redis: ctx.redis(), prefix: ctx.uniquePrefix() });

  it('keeps failureThreshold and healthIndexes after a selector-only upsert (the others keep their values)', async () => {
    const m = manager();
    await m.upsertPool({ name: 'p', failureThreshold: 7, healthIndexes: true });
    await m.addProxies('p', proxyUrls(5));
    const updated = await m.upsertPool({ name: 'p', selector: 'least-used' });
    expect(updated).toMatchObject({
      created: false,
      selector: 'least-used',
      failureThreshold: 7,
      healthIndexes: true,
    });
    expect(await m.getPool('p')).toMatchObject({ failureThreshold: 7, healthIndexes: true });
    // The health indexes survived, complete.
    const keys = m.keys.poolKeys('p');
    expect(await ctx.redis().zcard(keys.availableByHealth)).toBe(5);
    expect(await ctx.redis().zcard(keys.availableByLatency)).toBe(5);
    expect((await m.acquireProxy({ pool: 'p', selector: 'healthiest' }))?.pool).toBe('p');
    await m.close();
  });

  it('a new pool gets the defaults for what is not given; the reply is what was stored', async () => {
    const m = manager();
    const created = await m.upsertPool({ name: 'fresh', leaseSeconds: 12.5 });
    const { name: _, ...defaults } = PoolSettingsSchema.parse({ name: 'fresh' });
    expect(created).toEqual({ ...defaults, name: 'fresh', leaseSeconds: 12.5, created: true });
    expect(await m.getPool('fresh')).toEqual({ ...defaults, name: 'fresh', leaseSeconds: 12.5 });
    await m.close();
  });

  it('merges cooldown and session per field', async () => {
    const m = manager();
    await m.upsertPool({
      name: 'p',
      cooldown: { baseSeconds: 10, maxSeconds: 100 },
      session: { maxUsageCount: 9 },
    });
    const merged = await m.upsertPool({
      name: 'p',
      cooldown: { jitter: true },
      session: { maxAgeSeconds: 60 },
    });
    expect(merged.cooldown).toEqual({ baseSeconds: 10, maxSeconds: 100, jitter: true });
    expect(merged.session).toEqual({ maxUsageCount: 9, maxAgeSeconds: 60 });
    await m.close();
  });

  it('null or 0 clears an optional limit; leaving it out keeps it', async () => {
    const m = manager();
    await m.upsertPool({ name: 'p', disableAfterOpens: 4, scopeMaxConcurrency: 2 });
    expect(await m.upsertPool({ name: 'p', maxSessions: 5 })).toMatchObject({
      disableAfterOpens: 4,
      scopeMaxConcurrency: 2,
    });
    const cleared = await m.upsertPool({
      name: 'p',
      disableAfterOpens: null,
      scopeMaxConcurrency: 0,
    });
    expect(cleared.disableAfterOpens).toBeUndefined();
    expect(cleared.scopeMaxConcurrency).toBeUndefined();
    expect(await m.getPool('p')).not.toHaveProperty('disableAfterOpens');
    await m.close();
  });

  it('a change that conflicts with kept settings is refused, writing nothing', async () => {
    const m = manager();
    await m.upsertPool({ name: 'p', cooldown: { baseSeconds: 10, maxSeconds: 100 } });
    const before = await ctx.redis().hgetall(m.keys.poolKeys('p').pool);
    const refused = m.upsertPool({
      name: 'p',
      selector: 'healthiest',
      cooldown: { baseSeconds: 200 },
    });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ field: 'pool.cooldown.maxSeconds' });
    expect(await ctx.redis().hgetall(m.keys.poolKeys('p').pool)).toEqual(before);
    // Both given together are checked before anything is sent.
    await expect(
      m.upsertPool({ name: 'p', cooldown: { baseSeconds: 50, maxSeconds: 20 } }),
    ).rejects.toMatchObject({ field: 'pool.cooldown.maxSeconds' });
    await m.close();
  });

  it('turning healthIndexes off drops the indexes; on again rebuilds them', async () => {
    const m = manager();
    await m.upsertPool({ name: 'p', healthIndexes: true });
    await m.addProxies('p', proxyUrls(3));
    const keys = m.keys.poolKeys('p');
    expect((await m.upsertPool({ name: 'p', healthIndexes: false })).healthIndexes).toBe(false);
    expect(await ctx.redis().exists(keys.availableByHealth, keys.availableByLatency)).toBe(0);
    expect((await m.upsertPool({ name: 'p', healthIndexes: true })).healthIndexes).toBe(true);
    expect(await ctx.redis().zcard(keys.availableByHealth)).toBe(3);
    await m.close();
  });
});
