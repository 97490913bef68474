import { ValidationError } from '@leasehold/core';
import { KeySchema, luaScripts } from '@leasehold/core/internal';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls, snapshotKeys } from '../test/testSupport.js';
import { ScriptRunner } from './scriptRunner.js';
import type { Lease } from './types.js';

// A duration Redis would refuse as a TTL is rejected by the script before its first write. Called through the library directly, below any
// TypeScript validation: the keyspace is left exactly as it was.
// The lease expires by moving the pool's clock, not by sleeping.
useTestClockLibrary();
const HUGE_MS = 1e17; // durationSeconds: 1e14

describeEachTarget('scripts check before their first write', (ctx) => {
  /** A pool with an expired lease waiting to be reclaimed (the first thing acquire writes). */
  async function poolWithExpiredLease() {
    const fixture = await freshPool(ctx, { scopeMaxConcurrency: 1 });
    await fixture.manager.addProxies(fixture.pool, proxyUrls(2));
    const lease = (await fixture.manager.acquireProxy({
      pool: fixture.pool,
      durationSeconds: 10,
      scope: 'example.com',
      session: true,
    })) as Lease;
    await TestClock.forPool(ctx.redis(), fixture.manager.keys, fixture.pool).advance(10_000);
    const keys = new KeySchema(fixture.prefix).poolKeys(fixture.pool);
    const runner = new ScriptRunner([ctx.redis()]);
    return { ...fixture, lease, keys, runner };
  }

  function acquireArgs(prefix: string, pool: string, durationMs: string) {
    const args = [
      '',
      'lease-x',
      'c',
      durationMs,
      '',
      '',
      100,
      '0',
      'example.com',
      'new',
      's-x',
      '0',
    ];
    args[0] = new KeySchema(prefix).poolPrefix(pool);
    return args;
  }

  it('acquireLease with a huge duration answers -9 and writes nothing', async () => {
    const { prefix, pool, keys, runner } = await poolWithExpiredLease();
    const before = await snapshotKeys(ctx.redis(), prefix);
    const reply = await runner.run(
      luaScripts.acquireLease,
      keys,
      acquireArgs(prefix, pool, String(HUGE_MS)),
    );
    expect(reply).toEqual([-9, 'durationSeconds']);
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
  });

  it("a pool's stored leaseMs beyond the bound is refused the same way", async () => {
    const { prefix, pool, keys, runner } = await poolWithExpiredLease();
    await ctx.redis().hset(keys.pool, 'leaseMs', String(HUGE_MS));
    const before = await snapshotKeys(ctx.redis(), prefix);
    const reply = await runner.run(luaScripts.acquireLease, keys, acquireArgs(prefix, pool, ''));
    expect(reply).toEqual([-9, 'leaseSeconds']);
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
  });

  it('extendLease with a huge extension answers -9 and writes nothing', async () => {
    const { manager, prefix, pool, keys, runner } = await poolWithExpiredLease();
    const live = (await manager.acquireProxy({ pool, scope: 'other.com' })) as Lease;
    const before = await snapshotKeys(ctx.redis(), prefix);
    const reply = await runner.run(luaScripts.extendLease, keys, [
      live.proxyId,
      live.id,
      String(HUGE_MS),
    ]);
    expect(reply).toEqual([-9, 'seconds']);
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
  });

  it('through the manager it is a ValidationError naming the field, never a raw Redis error', async () => {
    const { manager, prefix, pool } = await poolWithExpiredLease();
    const live = (await manager.acquireProxy({ pool })) as Lease;
    const before = await snapshotKeys(ctx.redis(), prefix);
    const acquire = manager.acquireProxy({ pool, durationSeconds: 1e14 });
    await expect(acquire).rejects.toBeInstanceOf(ValidationError);
    await expect(acquire).rejects.toMatchObject({
      field: expect.stringMatching(/durationSeconds/),
    });
    const extend = manager.extendLease(live, 1e14);
    await expect(extend).rejects.toBeInstanceOf(ValidationError);
    await expect(extend).rejects.toMatchObject({ field: expect.stringMatching(/seconds/) });
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
  });
});
