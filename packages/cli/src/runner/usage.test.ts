import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process: give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000);

describeEachTarget('leasehold CLI usage and import lines', (ctx) => {
  const cli = (prefix: string, args: string[]) =>
    runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix });

  it('an unknown option or a missing value is a usage error (exit 2), like an unknown command', async () => {
    const prefix = ctx.uniquePrefix();
    const unknownFlag = await cli(prefix, ['pools', '--frobnicate']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("unknown option '--frobnicate'");
    expect(unknownFlag.stderr).toContain('leasehold <command> [options]');
    const missingValue = await cli(prefix, ['errors', 'p', '--limit']);
    expect(missingValue.code).toBe(2);
    expect(missingValue.stderr).toContain('--limit');
  });

  it('imports `host:port:user:pass # note` with the password alone', async () => {
    const prefix = ctx.uniquePrefix();
    const file = join(mkdtempSync(join(tmpdir(), 'lh-cli-')), 'proxies.txt');
    writeFileSync(
      file,
      '10.0.0.2:3128:bob:hunter2 # backup exit\nhttp://alice:s3cret@10.0.0.1:8080  # main\n',
    );
    expect((await cli(prefix, ['pool', 'create', 'p'])).code).toBe(0);
    expect((await cli(prefix, ['import', 'p', '--file', file])).code).toBe(0);
    const listed = await cli(prefix, ['proxies', 'p', '--json', '--show-credentials']);
    const urls = (JSON.parse(listed.stdout) as { url: string }[]).map((p) => p.url).sort();
    expect(urls).toEqual(['http://alice:s3cret@10.0.0.1:8080', 'http://bob:hunter2@10.0.0.2:3128']);
  });
});
