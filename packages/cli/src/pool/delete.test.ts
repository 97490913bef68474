import { ProxyManager } from '@leasehold/client';
import { describeEachTarget, redisTargetEnv, runLeaseholdCli, scanKeys } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process: give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 120_000);

// `leasehold pool delete <pool>`; piped (no terminal to ask on) it needs --yes.
describeEachTarget('leasehold pool delete', (ctx) => {
  const cli = (prefix: string, args: string[]) =>
    runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix });

  it('refuses without --yes when piped, deletes with it, prints JSON with --json', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    for (const name of ['a', 'b']) {
      await manager.upsertPool({ name });
      await manager.addProxies(name, ['http://u:secret@10.0.0.1:8080', 'http://10.0.0.2:8080']);
    }

    const refused = await cli(prefix, ['pool', 'delete', 'a']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(await manager.listPools()).toEqual(['a', 'b']);

    expect(await cli(prefix, ['pool', 'delete', 'a', '--yes'])).toMatchObject({
      code: 0,
      stdout: 'deleted pool a (2 proxies)\n',
    });
    const json = await cli(prefix, ['pool', 'delete', 'b', '--yes', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ deleted: 'b', proxies: 2 });
    expect(await scanKeys(ctx.redis(), `${prefix}:*`)).toEqual([]);

    const missing = await cli(prefix, ['pool', 'delete', 'a', '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('POOL_NOT_FOUND');
  });
});
