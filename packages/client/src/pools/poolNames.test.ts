import { ValidationError } from '@leasehold/core';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { freshPool, snapshotKeys } from '../../test/testSupport.js';

describeEachTarget('pool names', (ctx) => {
  it('a pool named . or .. is refused before anything is written', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    const before = await snapshotKeys(ctx.redis(), prefix);
    for (const name of ['.', '..']) {
      const error = await manager.upsertPool({ name }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field: 'pool.name' });
      await expect(manager.acquireProxy({ pool: name })).rejects.toMatchObject({
        field: 'options.pool',
      });
    }
    expect(await snapshotKeys(ctx.redis(), prefix)).toEqual(before);
    expect(await manager.listPools()).toEqual([pool]);
  });
});
