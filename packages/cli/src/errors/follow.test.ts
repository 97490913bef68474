import { ProxyManager } from '@leasehold/client';
import { describeEachTarget, redisTargetEnv } from '@leasehold/testing';
import { it as baseIt, expect, vi } from 'vitest';
import { startCli } from '../../test/cliSupport.js';

const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000);

const BURST = 300;

// `errors --follow` in-process: the recent entries, its "following" line on stderr, then
// every entry written after it, each once, however fast they come.
describeEachTarget('leasehold errors --follow', (ctx) => {
  it('prints a burst of 300 entries whole and once, after the recent ones', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'f' });
    const [proxy] = await manager.addProxies('f', ['http://u:pw@10.3.0.1:80']);
    const id = proxy?.id as string;
    await manager.transitionProxyState('f', id, 'disabled', 'recent-1');
    await manager.transitionProxyState('f', id, 'active', 'recent-2');

    const env = { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix };
    const following = startCli(['errors', 'f', '--follow', '--json'], env);
    await vi.waitFor(() => expect(following.stderr()).toContain('following'));
    for (let i = 0; i < BURST; i++)
      await manager.transitionProxyState(
        'f',
        id,
        i % 2 === 0 ? 'disabled' : 'active',
        `burst-${i}`,
      );
    const printed = () => following.stdout().trimEnd().split('\n');
    await vi.waitFor(() => expect(printed()).toHaveLength(BURST + 2), { timeout: 30_000 });
    following.interrupt();
    expect(await following.done).toBe(0);

    const entries = printed().map((line) => JSON.parse(line) as { id: string; reason: string });
    expect(entries.map((e) => e.reason)).toEqual([
      'recent-1',
      'recent-2',
      ...Array.from({ length: BURST }, (_, i) => `burst-${i}`),
    ]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(BURST + 2);
    // The recent ones came before the "following" line, the burst after it.
    const [before, after] = following.both().split(/^following .*$/m);
    expect(before).toContain('recent-2');
    expect(before).not.toContain('burst-0');
    expect(after).toContain('burst-0');
    // Each followed line is the entry getErrorLog returns.
    const logged = await manager.getErrorLog('f', { limit: BURST + 2 });
    expect(entries.slice().reverse()).toEqual(logged);
    await manager.close();
  });

  it('refuses --for without --follow, and --follow with --history, before connecting', async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:1', LEASEHOLD_PREFIX: ctx.uniquePrefix() };
    const noFollow = startCli(['errors', 'f', '--for', '5'], env);
    expect(await noFollow.done).toBe(1);
    expect(noFollow.stderr()).toContain('--for');
    const both = startCli(['errors', 'f', '--follow', '--history'], env);
    expect(await both.done).toBe(1);
    expect(both.stderr()).toMatch(/--follow: reads Redis; drop --history/);
  });
});
