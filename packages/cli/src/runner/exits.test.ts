import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000);

/** Far above a normal exit (~1 s), far below "hangs": a process still running is killed. */
const BOUND_MS = 30_000;

// A command that fails must end its process: the runner closes every connection it opened,
// on every exit path. A real child process, as a container runs it.
describeEachTarget(
  'leasehold ends when a command fails',
  (ctx) => {
    const env = (prefix: string) => ({
      ...redisTargetEnv(ctx.target),
      LEASEHOLD_PREFIX: prefix,
      LEASEHOLD_DASHBOARD_TOKEN: '',
    });

    it('dashboard --host 0.0.0.0 without a token exits 1 at once, saying why', async () => {
      const result = await runLeaseholdCli(
        ['dashboard', '--host', '0.0.0.0', '--port', '0'],
        env(ctx.uniquePrefix()),
        BOUND_MS,
      );
      expect(result.code).toBe(1);
      const [why, ...rest] = result.stderr.trimEnd().split('\n');
      expect(why).toMatch(/^leasehold: .*token.*0\.0\.0\.0/i);
      expect(rest.every((line) => line.startsWith('hint: '))).toBe(true);
      expect(result.stdout).toBe('');
    });

    it('dashboard refuses a bad allowed host, from the flag or the environment, at once', async () => {
      for (const [args, extra] of [
        [['--allowed-host', 'evil.example/path'], {}],
        [[], { LEASEHOLD_DASHBOARD_ALLOWED_HOSTS: 'ok.example, user@evil.example' }],
      ] as const) {
        const result = await runLeaseholdCli(
          ['dashboard', '--port', '0', ...args],
          { ...env(ctx.uniquePrefix()), ...extra },
          BOUND_MS,
        );
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr).toMatch(/allowedHosts\[\d\]/);
        expect(result.stdout).toBe('');
      }
    });

    it('a command that fails after connecting (an unknown pool) exits 1 at once', async () => {
      for (const args of [
        ['errors', 'ghost', '--follow'],
        ['lease', 'list', 'ghost'],
      ]) {
        const result = await runLeaseholdCli(args, env(ctx.uniquePrefix()), BOUND_MS);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr).toMatch(/^leasehold: Pool "ghost" does not exist \[POOL_NOT_FOUND/);
      }
    });
  },
  { targets: ['standalone'] },
);
