import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachTarget, redisTargetEnv } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { cliInProcess } from '../../test/cliSupport.js';

// What `proxy import` reads (a file, PROXY_LIST, --location) is checked before anything is
// written, and a failure is one readable line naming what is wrong.
describeEachTarget(
  'leasehold proxy import sources',
  (ctx) => {
    const setUp = async () => {
      const env = { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: ctx.uniquePrefix() };
      expect((await cliInProcess(['pool', 'create', 'p'], env)).code).toBe(0);
      const total = async () =>
        JSON.parse((await cliInProcess(['pool', 'stats', 'p', '--json'], env)).stdout).totalProxies;
      return { env, total };
    };

    it('names a missing file or a directory given as --file (exit 1, no bare ENOENT)', async () => {
      const { env } = await setUp();
      const dir = mkdtempSync(join(tmpdir(), 'lh-import-'));
      const missing = join(dir, 'missing.txt');
      for (const [path, why] of [
        [missing, 'no such file'],
        [dir, 'is a directory'],
      ] as const) {
        const result = await cliInProcess(['proxy', 'import', 'p', '--file', path], env);
        expect(result.code).toBe(1);
        const [line] = result.stderr.split('\n');
        expect(line).toBe(
          `leasehold: cannot read ${path}: ${why}${path === dir ? ', not a file' : ''} [FILE_UNREADABLE, --file]`,
        );
        expect(result.stderr).not.toMatch(/ENOENT|EISDIR|\n\s+at /);
      }
    });

    it('takes --location as two plain decimals only (no hex, exponents or underflow)', async () => {
      const { env, total } = await setUp();
      const listEnv = { ...env, PROXY_LIST: 'http://10.0.0.7:80' };
      for (const bad of [
        '0x10,0x20',
        '1e-400,0',
        `0.${'0'.repeat(400)}1,0`,
        'Infinity,0',
        '1,2,3',
      ]) {
        const result = await cliInProcess(['proxy', 'import', 'p', '--location', bad], listEnv);
        expect(result.code, bad).toBe(2);
        expect(result.stderr).toContain('--location');
      }
      expect(await total()).toBe(0);
      const ok = await cliInProcess(
        ['proxy', 'import', 'p', '--location', '-34.6037,-58.3816'],
        listEnv,
      );
      expect(ok.code).toBe(0);
      const range = await cliInProcess(['proxy', 'import', 'p', '--location', '91,0'], listEnv);
      expect(range.code).toBe(1);
      expect(range.stderr).toContain('location.latitude');
    });

    it('lists the first 20 bad lines of a huge list, then how many more (nothing written)', async () => {
      const { env, total } = await setUp();
      const lines = Array.from(
        { length: 100_000 },
        (_, i) => `10.0.${i & 255}.1:99999:u:secret${i}`,
      );
      const file = join(mkdtempSync(join(tmpdir(), 'lh-import-')), 'bad.txt');
      writeFileSync(file, `http://10.9.9.9:80\n${lines.join('\n')}\n`);
      const result = await cliInProcess(['proxy', 'import', 'p', '--file', file], env);
      expect(result.code).toBe(1);
      const printed = result.stderr.trimEnd().split('\n');
      expect(printed[0]).toMatch(/^leasehold: Invalid line 2\.port: .*\(and 99999 more\)/);
      expect(printed).toContain('  … and 99,980 more');
      expect(printed.length).toBeLessThanOrEqual(22);
      expect(result.stderr).not.toContain('secret');
      expect(await total()).toBe(0);
    });
  },
  { targets: ['standalone'] },
);
