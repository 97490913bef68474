import { ProxyManager } from '@leasehold/client';
import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process (~0.5 s): give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000);

describeEachTarget(
  'leasehold: reuse delays and the default cap',
  (ctx) => {
    const cli = (prefix: string, args: string[]) =>
      runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix });

    it('pool create/update take them, pool show lists them, proxy show the delay', async () => {
      const prefix = ctx.uniquePrefix();
      expect((await cli(prefix, ['pool', 'create', 'p'])).code).toBe(0);
      // Not set: said so, not left out.
      expect((await cli(prefix, ['pool', 'show', 'p'])).stdout).toMatch(
        /reuseDelaySeconds\s+off[\s\S]*scopeReuseDelaySeconds\s+off[\s\S]*defaultMaxConcurrency\s+off/,
      );
      const updated = await cli(prefix, [
        'pool',
        'update',
        'p',
        '--reuse-delay-seconds',
        '60',
        '--scope-reuse-delay-seconds',
        '2.5',
        '--default-max-concurrency',
        '3',
        '--json',
      ]);
      expect(updated.code).toBe(0);
      expect(JSON.parse(updated.stdout)).toMatchObject({
        reuseDelaySeconds: 60,
        scopeReuseDelaySeconds: 2.5,
        defaultMaxConcurrency: 3,
      });
      const shown = (await cli(prefix, ['pool', 'show', 'p'])).stdout;
      expect(shown).toMatch(/reuseDelaySeconds\s+60\n/);
      expect(shown).toMatch(/scopeReuseDelaySeconds\s+2\.5\n/);
      expect(shown).toMatch(/defaultMaxConcurrency\s+3\n/);

      const manager = new ProxyManager({ redis: ctx.redis(), prefix });
      const [proxy] = await manager.addProxies('p', ['http://u:pw@10.9.0.1:8080']);
      const lease = await manager.acquireProxy({ pool: 'p' });
      const state = JSON.parse(
        (await cli(prefix, ['proxy', 'show', 'p', proxy?.id as string, '--json'])).stdout,
      ).state;
      expect(state.reuseDelayUntil).toBe((lease?.acquiredAt as number) + 60_000);
      await manager.close();

      const bad = await cli(prefix, ['pool', 'update', 'p', '--reuse-delay-seconds', '-1']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('reuseDelaySeconds');
      expect(JSON.parse((await cli(prefix, ['pool', 'show', 'p', '--json'])).stdout)).toMatchObject(
        { reuseDelaySeconds: 60 },
      );
    });
  },
  { targets: ['standalone'] },
);
