// Every example runs as a user runs it (`pnpm example <name>`: examples/run.ts), against the
// suite's private Redis. run.ts fails when the example fails, when no request went through a
// proxy, or when a proxy saw more concurrent requests than its cap.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { injectTarget } from '@leasehold/testing';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const examples = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .filter((f) => f !== 'run.ts')
  .map((f) => f.slice(0, -3));

describe('examples (pnpm example <name>)', () => {
  it('has the four the README promises', () => {
    expect(examples).toEqual(expect.arrayContaining(['fetch', 'got', 'playwright', 'crawlee']));
  });

  for (const name of examples) {
    it(`${name} runs to the end through the local proxies`, { timeout: 150_000 }, async () => {
      const target = injectTarget('standalone');
      const prefix = `ex${Math.random().toString(36).slice(2, 8)}`;
      const { stdout } = await run(process.execPath, ['--import', tsx, 'run.ts', name], {
        cwd: here,
        env: { ...process.env, REDIS_URL: target.url, LEASEHOLD_PREFIX: prefix },
        timeout: 140_000,
      });
      expect(stdout).toMatch(/proxy healthy-a +served +\d+/);
      // run.ts exits 1 on any failure, so reaching here means it passed; the totals prove traffic.
      const served = [...stdout.matchAll(/served +(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
      expect(served).toBeGreaterThan(0);
    });
  }
});
