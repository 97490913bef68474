import { readFileSync } from 'node:fs';
import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process: give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 120_000);

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

// The commander-based CLI: help, version, exit codes, and the commands of the README's CLI section.
describeEachTarget('leasehold exit codes and help', (ctx) => {
  const cli = (prefix: string, args: string[], env: Record<string, string> = {}) =>
    runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix, ...env });

  it('prints --version, per-command --help with examples, and exits 2 on usage errors', async () => {
    const prefix = ctx.uniquePrefix();
    expect(await cli(prefix, ['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = await cli(prefix, ['proxy', 'import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--max-concurrency <n>');
    expect(help.stdout).toContain('Examples:');
    const missingArg = await cli(prefix, ['proxy', 'show', 'p']);
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toContain("missing required argument 'id'");
    const bare = await cli(prefix, []);
    expect(bare.code).toBe(2);
    const bench = await cli(prefix, ['bench']);
    expect(bench).toMatchObject({ code: 2 });
    expect(bench.stderr).toContain('pnpm bench');
  });

  it('prints a typed error as one line with its code and hint, no stack (exit 1)', async () => {
    const prefix = ctx.uniquePrefix();
    const missing = await cli(prefix, ['pool', 'show', 'ghost']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^leasehold: Pool "ghost" does not exist \[POOL_NOT_FOUND/);
    expect(missing.stderr).not.toContain('    at ');
    // The dashboard runs until stopped: its flags here, its start in @leasehold/dashboard's tests.
    const dashboard = await cli(prefix, ['dashboard', '--help']);
    expect(dashboard.stdout).toContain('(default: "127.0.0.1")');
    expect(dashboard.stdout).toContain('(default: 9470)');
    const demo = await cli(prefix, ['demo', '--help']);
    expect(demo.stdout).toContain('--scrapers <n>');
  });
});
