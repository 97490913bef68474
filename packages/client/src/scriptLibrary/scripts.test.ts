import { luaLibrary, luaScripts, POOL_KEY_NAMES } from '@leasehold/core/internal';
import { assertSameSlot, describeEachTarget, keySlot, scanKeys } from '@leasehold/testing';
import { describe, expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';

describeEachTarget('Lua scripts on Redis', (ctx) => {
  it('every key a pool ever gets hashes to one slot (so it runs on Redis Cluster)', async () => {
    const { manager, prefix, pool } = await freshPool(ctx);
    await manager.addProxies(pool, [
      {
        url: proxyUrls(1)[0] as string,
        labels: { country: 'AR', city: 'Buenos Aires' },
        tags: ['residential'],
      },
    ]);
    const lease = await manager.acquireProxy({ pool, filters: { country: 'AR' } });
    expect(lease).not.toBeNull();
    const keys = await scanKeys(ctx.redis(), `${prefix}:{${pool}}:*`);
    expect(keys.length).toBeGreaterThanOrEqual(8);
    assertSameSlot(keys);
    // The fixed KEYS each script declares come from the same key set.
    const poolKeys = Object.values(manager.keys.poolKeys(pool));
    assertSameSlot([...poolKeys, ...keys]);
    expect(keySlot(poolKeys[0] as string)).toBe(keySlot(`{${pool}}`));
  });

  it('survives FUNCTION FLUSH (the library is loaded again, once, by concurrent callers)', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(20));
    expect(await manager.acquireProxy({ pool })).not.toBeNull();
    const client = ctx.redis();
    const masters = 'nodes' in client ? client.nodes('master') : [client];
    await Promise.all(masters.map((n) => n.function('FLUSH')));
    const leases = await Promise.all(
      Array.from({ length: 10 }, () => manager.acquireProxy({ pool })),
    );
    expect(leases.every((l) => l !== null)).toBe(true);
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(11);
    // Every master has exactly this version's library, listed under its own name.
    for (const node of masters) {
      const listed = (await node.function('LIST', 'LIBRARYNAME', luaLibrary.name)) as unknown[];
      expect(listed).toHaveLength(1);
    }
  });

  it('lists the script libraries and deletes those of other versions on every master', async () => {
    const { manager, pool } = await freshPool(ctx);
    await manager.addProxies(pool, proxyUrls(1));
    const client = ctx.redis();
    const masters = 'nodes' in client ? client.nodes('master') : [client];
    // What an older Leasehold version would have left behind.
    const old = 'leasehold_000000000000';
    const oldSource = `#!lua name=${old}\nredis.register_function('lh_000000000000_noop', function() return 1 end)`;
    await Promise.all(masters.map((n) => n.function('LOAD', 'REPLACE', oldSource)));
    expect(await manager.acquireProxy({ pool })).not.toBeNull();

    expect(await manager.scriptLibraries()).toEqual([
      { name: luaLibrary.name, current: true, nodes: masters.length },
      { name: old, current: false, nodes: masters.length },
    ]);
    expect(await manager.deleteOtherScriptLibraries()).toEqual([old]);
    expect(await manager.scriptLibraries()).toEqual([
      { name: luaLibrary.name, current: true, nodes: masters.length },
    ]);
    expect(await manager.deleteOtherScriptLibraries()).toEqual([]);
    expect((await manager.getPoolStats(pool)).totalLeases).toBe(1);
  });
});

describe('script registry', () => {
  it('each script declares its KEYS and they all exist in the pool key set', () => {
    for (const script of Object.values(luaScripts)) {
      expect(script.keys.length).toBe(script.numberOfKeys);
      for (const key of script.keys) expect(POOL_KEY_NAMES).toContain(key);
    }
  });
});
