import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { luaLibrary } from '@leasehold/core/internal';
import {
  describeEachTarget,
  runLeaseholdCli,
  type StandaloneTarget,
  startRedisServer,
} from '@leasehold/testing';
import { Redis } from 'ioredis';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process (~0.5 s): give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000);

// The CLI as a person runs it: a separate process, configured by env, against real Redis.
describeEachTarget(
  'leasehold CLI',
  (ctx) => {
    function cli(prefix: string, args: string[], env: Record<string, string> = {}) {
      const target = ctx.target as StandaloneTarget;
      return runLeaseholdCli(args, { REDIS_URL: target.url, LEASEHOLD_PREFIX: prefix, ...env });
    }

    it('creates a pool, imports a list file, lists proxies with credentials masked', async () => {
      const prefix = ctx.uniquePrefix();
      const dir = mkdtempSync(join(tmpdir(), 'lh-cli-'));
      const file = join(dir, 'proxies.txt');
      writeFileSync(
        file,
        '# residential\nhttp://alice:s3cret@10.0.0.1:8080\n10.0.0.2:3128:bob:hunter2\n\nsocks5://[::1]:1080\n',
      );
      expect(
        (await cli(prefix, ['pool', 'create', 'latam', '--selector', 'least-used'])).code,
      ).toBe(0);
      const imported = await cli(prefix, [
        'import',
        'latam',
        '--file',
        file,
        '--label',
        'country=AR',
        '--tag',
        'residential',
        '--max-concurrency',
        '2',
      ]);
      expect(imported).toMatchObject({ code: 0 });
      expect(imported.stdout).toContain('imported 3 proxies');

      const table = await cli(prefix, ['proxies', 'latam']);
      expect(table.code).toBe(0);
      expect(table.stdout).toContain('http://***:***@10.0.0.1:8080');
      expect(table.stdout).toContain('country=AR');
      expect(table.stdout).not.toMatch(/s3cret|hunter2|alice|bob/);

      const json = JSON.parse((await cli(prefix, ['proxies', 'latam', '--json'])).stdout) as {
        url: string;
        maxConcurrency: number;
      }[];
      expect(json).toHaveLength(3);
      expect(json.every((p) => p.maxConcurrency === 2)).toBe(true);
      const withSecrets = (await cli(prefix, ['proxies', 'latam', '--json', '--show-credentials']))
        .stdout;
      expect(withSecrets).toContain('hunter2');

      const pools = JSON.parse((await cli(prefix, ['pools', '--json'])).stdout) as {
        pool: string;
        totalProxies: number;
      }[];
      expect(pools).toEqual([
        expect.objectContaining({ pool: 'latam', totalProxies: 3, availableProxies: 3 }),
      ]);
    });

    it('imports any label name and a location; proxy show prints both', async () => {
      const prefix = ctx.uniquePrefix();
      await cli(prefix, ['pool', 'create', 'geo']);
      const imported = await cli(
        prefix,
        [
          'import',
          'geo',
          '--label',
          'provider=acme',
          '--label',
          'tier=gold:1',
          '--location',
          '-34.6037,-58.3816',
        ],
        { PROXY_LIST: 'http://10.0.0.7:80' },
      );
      expect(imported).toMatchObject({ code: 0 });
      const [proxy] = JSON.parse((await cli(prefix, ['proxies', 'geo', '--json'])).stdout) as {
        id: string;
      }[];
      const shown = await cli(prefix, ['proxy', 'show', 'geo', proxy?.id as string]);
      expect(shown.stdout).toMatch(/labels\s+provider=acme,tier=gold:1/);
      expect(shown.stdout).toMatch(/location\s+-34\.6037,-58\.3816/);
      const json = JSON.parse(
        (await cli(prefix, ['proxy', 'show', 'geo', proxy?.id as string, '--json'])).stdout,
      );
      expect(json.state).toMatchObject({
        labels: { provider: 'acme', tier: 'gold:1' },
        location: { latitude: -34.6037, longitude: -58.3816 },
      });
      const bad = await cli(prefix, ['import', 'geo', '--location', '91,0'], {
        PROXY_LIST: 'http://10.0.0.8:80',
      });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('location.latitude');
    });

    it('rejects a list with a bad line, naming it, and imports nothing', async () => {
      const prefix = ctx.uniquePrefix();
      await cli(prefix, ['pool', 'create', 'p']);
      const bad = await cli(prefix, ['import', 'p'], {
        PROXY_LIST: 'http://u:pw@10.0.0.1:80,http://u:topsecret@10.0.0.2:99999',
      });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('line 2.port');
      expect(bad.stderr).not.toContain('topsecret');
      expect(JSON.parse((await cli(prefix, ['stats', 'p', '--json'])).stdout)).toMatchObject({
        totalProxies: 0,
      });
    });

    it('disables and enables a proxy, shows health and the error log', async () => {
      const prefix = ctx.uniquePrefix();
      await cli(prefix, ['pool', 'create', 'p']);
      await cli(prefix, ['import', 'p'], { PROXY_LIST: 'http://10.0.0.9:80' });
      const [proxy] = JSON.parse((await cli(prefix, ['proxies', 'p', '--json'])).stdout) as {
        id: string;
      }[];
      expect(
        (
          await cli(prefix, [
            'proxy',
            'disable',
            'p',
            proxy?.id as string,
            '--reason',
            'maintenance',
          ])
        ).stdout,
      ).toContain('now disabled');
      const health = JSON.parse(
        (await cli(prefix, ['proxy', 'health', 'p', proxy?.id as string, '--json'])).stdout,
      );
      expect(health.state.status).toBe('disabled');
      const log = JSON.parse((await cli(prefix, ['errors', 'p', '--json'])).stdout) as {
        type: string;
        reason: string;
      }[];
      expect(log[0]).toMatchObject({ type: 'transition', reason: 'maintenance' });
      expect((await cli(prefix, ['proxy', 'enable', 'p', proxy?.id as string])).stdout).toContain(
        'now active',
      );
    });

    it('lists the script libraries and prunes those of older versions', async () => {
      // A private server: pruning must not race with other suites' libraries.
      const server = await startRedisServer();
      const redis = new Redis(server.url);
      try {
        const old = 'leasehold_000000000000';
        await redis.function(
          'LOAD',
          `#!lua name=${old}\nredis.register_function('lh_000000000000_noop', function() return 1 end)`,
        );
        const env = { REDIS_URL: server.url };
        const prefix = ctx.uniquePrefix();
        expect((await cli(prefix, ['pool', 'create', 'p'], env)).code).toBe(0);
        const listed = await cli(prefix, ['functions', '--json'], env);
        expect(listed.code).toBe(0);
        expect(JSON.parse(listed.stdout)).toEqual([
          { name: luaLibrary.name, current: true, nodes: 1 },
          { name: old, current: false, nodes: 1 },
        ]);
        const pruned = await cli(prefix, ['functions', 'prune'], env);
        expect(pruned.stdout).toBe(`deleted ${old}\n`);
        const libraries = (await redis.function('LIST')) as unknown[][];
        expect(libraries.map((l) => l[1])).toEqual([luaLibrary.name]);
        const again = await cli(prefix, ['functions', 'prune'], env);
        expect(again.stdout).toBe('no libraries of other Leasehold versions\n');
      } finally {
        await redis.quit();
        await server.stop();
      }
    });

    it('answers an unknown command or pool with a clear error and a non-zero exit', async () => {
      const prefix = ctx.uniquePrefix();
      const unknown = await cli(prefix, ['frobnicate']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("unknown command 'frobnicate'");
      const missing = await cli(prefix, ['stats', 'ghost']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('Pool "ghost" does not exist');
    });
  },
  { targets: ['standalone'] },
);
