import { ValidationError } from '@leasehold/core';
import { luaLibrary, luaScripts, type PoolKeys } from '@leasehold/core/internal';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls, snapshotKeys } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

describeEachTarget('an empty outcome', (ctx) => {
  it('is refused by recordResult and releaseProxy alike, naming outcome.ok, writing nothing', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const lease = (await manager.acquireProxy({ pool })) as Lease;
    const before = await snapshotKeys(ctx.redis(), prefix);
    for (const call of [
      () => manager.recordResult(lease, {} as never),
      () => manager.releaseProxy(lease, {} as never),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        {
          field: 'outcome.ok',
          message: 'must be true (a success) or false (a failure, with its error category)',
        },
      ]);
    }
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
    expect(await manager.releaseProxy(lease)).toEqual({ released: true });
  });

  it('reaching the recordResult script records nothing, as a release without one', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const lease = (await manager.acquireProxy({ pool })) as Lease;
    // A first outcome loads the library; the empty one then goes straight to the script.
    await manager.recordResult(lease, { ok: true, latencyMs: 10 });
    const before = await snapshotKeys(ctx.redis(), prefix);
    const keys = manager.keys.poolKeys(pool);
    const keyValues = luaScripts.recordResult.keys.map((name) => keys[name as keyof PoolKeys]);
    const reply = await ctx
      .redis()
      .fcall(
        luaLibrary.functionNames.recordResult,
        keyValues.length,
        ...keyValues,
        manager.keys.poolPrefix(pool),
        lease.proxyId,
        lease.id,
        ...['', '', '', '', '', '', '', '0.5'],
      );
    expect(reply).toEqual([1]);
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
    expect((await manager.getProxyHealth(pool, lease.proxyId)).successes).toBe(1);
  });
});
