import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process (~0.5 s): give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000);

describeEachTarget(
  'leasehold: minimum health and active health checks',
  (ctx) => {
    const cli = (prefix: string, args: string[]) =>
      runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix });
    const settings = async (prefix: string) =>
      JSON.parse((await cli(prefix, ['pool', 'show', 'p', '--json'])).stdout);

    it('pool create/update set, change and clear them; a partial check needs a URL', async () => {
      const prefix = ctx.uniquePrefix();
      // An interval alone on a pool without a check: refused, naming the flag, nothing created.
      const orphan = await cli(prefix, ['pool', 'create', 'p', '--health-check-interval', '30']);
      expect(orphan.code).toBe(1);
      expect(orphan.stderr).toContain('--health-check-url');
      expect((await cli(prefix, ['pool', 'show', 'p'])).code).toBe(1);

      const created = await cli(prefix, [
        'pool',
        'create',
        'p',
        '--min-health-score',
        '0.4',
        '--health-check-url',
        'http://127.0.0.1:9/health',
        '--health-check-interval',
        '30',
      ]);
      expect(created.code).toBe(0);
      expect(await settings(prefix)).toMatchObject({
        minHealthScore: 0.4,
        healthCheck: { url: 'http://127.0.0.1:9/health', intervalSeconds: 30 },
      });
      // A timeout alone keeps the URL and the interval.
      expect((await cli(prefix, ['pool', 'update', 'p', '--health-check-timeout', '5'])).code).toBe(
        0,
      );
      expect((await settings(prefix)).healthCheck).toEqual({
        url: 'http://127.0.0.1:9/health',
        intervalSeconds: 30,
        timeoutSeconds: 5,
      });
      const bad = await cli(prefix, ['pool', 'update', 'p', '--min-health-score', '1.5']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('minHealthScore');
      expect((await settings(prefix)).minHealthScore).toBe(0.4);

      expect((await cli(prefix, ['pool', 'update', 'p', '--health-check-url', 'off'])).code).toBe(
        0,
      );
      expect((await settings(prefix)).healthCheck ?? null).toBeNull();
    });
  },
  { targets: ['standalone'] },
);
