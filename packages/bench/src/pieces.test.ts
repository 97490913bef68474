import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

// `pnpm bench:pieces` as a person runs it (its own redis-server), with few iterations: it must
// build its copy of the library, run every piece and print a number for each. Never a speed.
describe('bench:pieces (smoke)', () => {
  it('times every piece of an acquire and a release inside Redis', async () => {
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'scripts/measure-lua-pieces.ts'), '--proxies', '300', '--iterations', '20'],
      { cwd: root },
    );
    const rows = stdout
      .split('\n')
      .map((line) => /^(\S.*?)\s+(\d+\.\d\d)$/.exec(line))
      .filter((m) => m !== null);
    expect(rows.map((m) => m[1])).toEqual([
      'TIME',
      'pool context + hot settings',
      'pool context + all settings',
      'lazy sweeps, nothing due',
      'pick, round-robin, no filter',
      'pick, round-robin, filtered',
      'load a proxy for a lease',
      'load a proxy in full',
      'take a lease',
      'release: deadline + lease record',
      'release: load + success outcome + save',
      'release: load + end the lease',
      'acquire reply: 8 proxy fields',
    ]);
    for (const m of rows) expect(Number(m[2]), m[1]).toBeGreaterThan(0);
  }, 60_000);
});
