import { KeySchema, luaScripts } from '@leasehold/core/internal';
import { describeEachTarget, type RedisClient } from '@leasehold/testing';
import type { Cluster, Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import { ScriptRunner } from '../scriptRunner.js';
import { compileFilters } from './filters.js';

// The decoded-filter cache inside the library stays small: keyed by the whole filter JSON,
// exclusion lists included, it once grew Lua memory (invisible to maxmemory) to 92 MB.
// Exclusions travel outside the cached part and the cache is bounded by bytes. Called through the library directly, below the client's length limits.
function masters(redis: RedisClient): Redis[] {
  return redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
}

async function functionsVmBytes(redis: RedisClient): Promise<number> {
  let total = 0;
  for (const node of masters(redis)) {
    const info = await node.info('memory');
    total += Number(/used_memory_vm_functions:(\d+)/.exec(info)?.[1] ?? 0);
  }
  return total;
}

const hexId = (i: number) => i.toString(16).padStart(16, '0');

describeEachTarget('the decoded-filter cache stays small', (ctx) => {
  it('300 acquires with distinct 2,000-id exclusion lists leave Lua memory flat', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    await manager.addProxies(
      pool,
      proxyUrls(50).map((url) => ({ url, labels: { country: 'AR' } })),
    );
    const keys = new KeySchema(prefix).poolKeys(pool);
    const runner = new ScriptRunner([ctx.redis()]);
    const acquire = async (call: number) => {
      const exclude = Array.from({ length: 2000 }, (_, i) => hexId(call * 2000 + i));
      const filters = { country: 'AR', anyOf: [{ city: `c${call}` }, { country: 'AR' }], exclude };
      const reply = await runner.run(luaScripts.acquireLease, keys, [
        new KeySchema(prefix).poolPrefix(pool),
        `lease-${call}`,
        'c',
        '60000',
        '',
        compileFilters(filters),
        100,
        '0',
        '',
        '',
        '',
        '0',
      ]);
      expect(reply[0]).toBe(1);
      await manager.releaseProxy({ pool, proxyId: String(reply[3]), id: String(reply[2]) });
    };
    await acquire(0);
    const before = await functionsVmBytes(ctx.redis());
    for (let call = 1; call <= 300; call++) await acquire(call);
    const grown = (await functionsVmBytes(ctx.redis())) - before;
    console.log(`[${ctx.target.kind}] Lua (functions VM) growth: ${(grown / 1e6).toFixed(2)} MB`);
    // Keyed by the whole JSON, 256 cached entries of ~40 KB keys plus decoded tables: > 30 MB.
    expect(grown).toBeLessThan(8_000_000);
  });
});
