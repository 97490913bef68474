import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process: give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 120_000);

// A pool and its proxies from creation to removal, as a person runs the commands.
describeEachTarget('leasehold pool and proxy lifecycle', (ctx) => {
  const cli = (prefix: string, args: string[], env: Record<string, string> = {}) =>
    runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix, ...env });

  it('pool create/show/list/stats and proxy add/show/reset/remove', async () => {
    const prefix = ctx.uniquePrefix();
    expect((await cli(prefix, ['pool', 'create', 'p', '--lease-seconds', '45'])).code).toBe(0);
    const shown = JSON.parse((await cli(prefix, ['pool', 'show', 'p', '--json'])).stdout);
    expect(shown).toMatchObject({ name: 'p', leaseSeconds: 45 });
    const added = await cli(prefix, [
      'proxy',
      'add',
      'p',
      'http://alice:s3cret@10.1.0.1:8080',
      '10.1.0.2:3128:bob:hunter2',
      '--tag',
      'dc',
    ]);
    expect(added).toMatchObject({ code: 0, stdout: 'imported 2 proxies into p (0 updated)\n' });
    const list = JSON.parse((await cli(prefix, ['pool', 'list', '--json'])).stdout);
    expect(list).toEqual([expect.objectContaining({ pool: 'p', totalProxies: 2 })]);
    const table = await cli(prefix, ['proxy', 'list', 'p']);
    // Piped: plain text, no colour codes, credentials masked.
    expect(table.stdout).not.toContain('\u001b[');
    expect(table.stdout).not.toMatch(/s3cret|hunter2/);
    const [first] = JSON.parse((await cli(prefix, ['proxy', 'list', 'p', '--json'])).stdout) as {
      id: string;
    }[];
    const id = first?.id as string;
    const show = await cli(prefix, ['proxy', 'show', 'p', id]);
    expect(show.stdout).toMatch(/status\s+active/);
    expect((await cli(prefix, ['proxy', 'reset', 'p', id])).code).toBe(0);
    expect((await cli(prefix, ['proxy', 'remove', 'p', id])).code).toBe(0);
    const stats = JSON.parse((await cli(prefix, ['pool', 'stats', 'p', '--json'])).stdout);
    expect(stats).toMatchObject({ totalProxies: 1 });
  });
});
