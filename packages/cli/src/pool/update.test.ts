import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process (~0.5 s): give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000);

// `leasehold pool update` changes only the settings it is given.
describeEachTarget(
  'leasehold pool update',
  (ctx) => {
    const cli = (prefix: string, args: string[]) =>
      runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix });

    it('changes only the flags given and keeps the rest', async () => {
      const prefix = ctx.uniquePrefix();
      const created = await cli(prefix, [
        'pool',
        'create',
        'latam',
        '--failure-threshold',
        '7',
        '--lease-seconds',
        '90',
      ]);
      expect(created.code).toBe(0);
      const updated = await cli(prefix, [
        'pool',
        'update',
        'latam',
        '--selector',
        'least-used',
        '--json',
      ]);
      expect(updated.code).toBe(0);
      expect(JSON.parse(updated.stdout)).toMatchObject({
        name: 'latam',
        created: false,
        selector: 'least-used',
        failureThreshold: 7,
        leaseSeconds: 90,
      });
    });

    it('refuses a pool that does not exist (exit 1, nothing created)', async () => {
      const prefix = ctx.uniquePrefix();
      const missing = await cli(prefix, ['pool', 'update', 'nope', '--selector', 'least-used']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('does not exist');
      expect((await cli(prefix, ['pools', '--json'])).stdout.trim()).toBe('[]');
    });
  },
  { targets: ['standalone'] },
);
