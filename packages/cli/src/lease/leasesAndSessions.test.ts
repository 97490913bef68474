import { ProxyManager } from '@leasehold/client';
import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process: give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 120_000);

// `lease list|release` and `session list|show|disable`, as a person runs them.
describeEachTarget('leasehold lease and session', (ctx) => {
  const cli = (prefix: string, args: string[], env: Record<string, string> = {}) =>
    runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix, ...env });

  it('lists and releases leases; lists, shows and disables sessions', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'l' });
    await manager.addProxies('l', ['http://u:pw@10.2.0.1:80', 'http://u:pw@10.2.0.2:80']);
    const lease = await manager.acquireProxy({ pool: 'l', consumer: 'c1', session: true });
    const sessionId = lease?.session?.id as string;
    const leases = JSON.parse((await cli(prefix, ['lease', 'list', 'l', '--json'])).stdout);
    expect(leases).toEqual([
      expect.objectContaining({
        id: lease?.id,
        proxyId: lease?.proxyId,
        consumer: 'c1',
        sessionId,
        expiresAt: lease?.expiresAt,
      }),
    ]);
    const sessions = JSON.parse((await cli(prefix, ['session', 'list', 'l', '--json'])).stdout);
    expect(sessions).toEqual([expect.objectContaining({ id: sessionId, leased: true })]);
    const released = await cli(prefix, ['lease', 'release', 'l', lease?.id as string]);
    expect(released).toMatchObject({ code: 0, stdout: `lease ${lease?.id} released\n` });
    const again = await cli(prefix, ['lease', 'release', 'l', lease?.id as string]);
    expect(again.stdout).toContain('was not live');
    expect(JSON.parse((await cli(prefix, ['lease', 'list', 'l', '--json'])).stdout)).toEqual([]);
    expect((await cli(prefix, ['session', 'disable', 'l', sessionId])).stdout).toContain(
      'now disabled',
    );
    const shown = JSON.parse(
      (await cli(prefix, ['session', 'show', 'l', sessionId, '--json'])).stdout,
    );
    expect(shown).toMatchObject({ id: sessionId, status: 'disabled' });
    await manager.close();
  });
});
