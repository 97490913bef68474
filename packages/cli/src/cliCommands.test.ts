import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyManager } from '@leasehold/client';
import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process: give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 120_000);

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

// The commander-based CLI: help, version, exit codes, and the commands of DESIGN.md's Ops.
describeEachTarget('leasehold commands', (ctx) => {
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
    expect(dashboard.stdout).toContain('(default: "9470")');
    const demo = await cli(prefix, ['demo', '--help']);
    expect(demo.stdout).toContain('--scrapers <n>');
  });

  it('pool create/show/list/stats and proxy add/show/reset/remove', async () => {
    const prefix = ctx.uniquePrefix();
    expect((await cli(prefix, ['pool', 'create', 'p', '--lease-seconds', '45'])).code).toBe(0);
    const shown = JSON.parse((await cli(prefix, ['pool', 'show', 'p', '--json'])).stdout);
    expect(shown).toMatchObject({ name: 'p', leaseSeconds: 45 });
    const added = await cli(prefix, [
      'proxy',
      'add',
      'p',
      'http://alice:s3cret@10.1.0.1:8080',
      '10.1.0.2:3128:bob:hunter2',
      '--tag',
      'dc',
    ]);
    expect(added).toMatchObject({ code: 0, stdout: 'imported 2 proxies into p (0 updated)\n' });
    const list = JSON.parse((await cli(prefix, ['pool', 'list', '--json'])).stdout);
    expect(list).toEqual([expect.objectContaining({ pool: 'p', totalProxies: 2 })]);
    const table = await cli(prefix, ['proxy', 'list', 'p']);
    // Piped: plain text, no colour codes, credentials masked.
    expect(table.stdout).not.toContain('\u001b[');
    expect(table.stdout).not.toMatch(/s3cret|hunter2/);
    const [first] = JSON.parse((await cli(prefix, ['proxy', 'list', 'p', '--json'])).stdout) as {
      id: string;
    }[];
    const id = first?.id as string;
    const show = await cli(prefix, ['proxy', 'show', 'p', id]);
    expect(show.stdout).toMatch(/status\s+active/);
    expect((await cli(prefix, ['proxy', 'reset', 'p', id])).code).toBe(0);
    expect((await cli(prefix, ['proxy', 'remove', 'p', id])).code).toBe(0);
    const stats = JSON.parse((await cli(prefix, ['pool', 'stats', 'p', '--json'])).stdout);
    expect(stats).toMatchObject({ totalProxies: 1 });
  });

  it('imports one gateway from PROXY_SERVER + PROXY_USERNAME + PROXY_PASSWORD', async () => {
    const prefix = ctx.uniquePrefix();
    await cli(prefix, ['pool', 'create', 'gw']);
    const env = {
      PROXY_LIST: '',
      PROXY_SERVER: 'gate.example.net:7777',
      PROXY_USERNAME: 'customer-1',
      PROXY_PASSWORD: 'p@ss:word',
    };
    const imported = await cli(prefix, ['proxy', 'import', 'gw'], env);
    expect(imported).toMatchObject({ code: 0, stdout: 'imported 1 proxies into gw (0 updated)\n' });
    expect(imported.stdout + imported.stderr).not.toContain('p@ss');
    const [proxy] = JSON.parse(
      (await cli(prefix, ['proxy', 'list', 'gw', '--json', '--show-credentials'])).stdout,
    ) as { url: string }[];
    expect(proxy?.url).toBe('http://customer-1:p%40ss%3Aword@gate.example.net:7777');
  });

  it('imports a gateway template, lists it redacted, refuses a bad one by field', async () => {
    const prefix = ctx.uniquePrefix();
    await cli(prefix, ['pool', 'create', 'gw']);
    const env = {
      PROXY_LIST: '',
      PROXY_SERVER: 'gate.example.net:7777',
      PROXY_USERNAME: 'customer-acme-cc-us-session-{session}',
      PROXY_PASSWORD: 'tmpl-Secret',
    };
    expect((await cli(prefix, ['proxy', 'import', 'gw'], env)).code).toBe(0);
    const table = await cli(prefix, ['proxy', 'list', 'gw']);
    expect(table.stdout).toContain(
      'http://***:***@gate.example.net:7777 (gateway: {session} in username)',
    );
    expect(table.stdout).not.toMatch(/customer-acme|tmpl-Secret/);
    const [proxy] = JSON.parse(
      (await cli(prefix, ['proxy', 'list', 'gw', '--json', '--show-credentials'])).stdout,
    ) as { url: string; gateway: unknown }[];
    expect(proxy).toMatchObject({
      url: 'http://customer-acme-cc-us-session-%7Bsession%7D:tmpl-Secret@gate.example.net:7777',
      gateway: { in: 'username', tokenLength: 16 },
    });
    const bad = await cli(prefix, [
      'proxy',
      'add',
      'gw',
      'http://customer-acme-{country}-session-{session}:tmpl-Secret@gate.example.net:7777',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('proxies[0].url.username');
    expect(bad.stdout + bad.stderr).not.toMatch(/customer-acme|tmpl-Secret/);
  });

  it('lists and releases leases; lists, shows and disables sessions', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'l' });
    await manager.addProxies('l', ['http://u:pw@10.2.0.1:80', 'http://u:pw@10.2.0.2:80']);
    const lease = await manager.acquireProxy({ pool: 'l', consumer: 'c1', session: true });
    const sessionId = lease?.session?.id as string;
    const leases = JSON.parse((await cli(prefix, ['lease', 'list', 'l', '--json'])).stdout);
    expect(leases).toEqual([
      expect.objectContaining({
        id: lease?.id,
        proxyId: lease?.proxyId,
        consumer: 'c1',
        sessionId,
        expiresAt: lease?.expiresAt,
      }),
    ]);
    const sessions = JSON.parse((await cli(prefix, ['session', 'list', 'l', '--json'])).stdout);
    expect(sessions).toEqual([expect.objectContaining({ id: sessionId, leased: true })]);
    const released = await cli(prefix, ['lease', 'release', 'l', lease?.id as string]);
    expect(released).toMatchObject({ code: 0, stdout: `lease ${lease?.id} released\n` });
    const again = await cli(prefix, ['lease', 'release', 'l', lease?.id as string]);
    expect(again.stdout).toContain('was not live');
    expect(JSON.parse((await cli(prefix, ['lease', 'list', 'l', '--json'])).stdout)).toEqual([]);
    expect((await cli(prefix, ['session', 'disable', 'l', sessionId])).stdout).toContain(
      'now disabled',
    );
    const shown = JSON.parse(
      (await cli(prefix, ['session', 'show', 'l', sessionId, '--json'])).stdout,
    );
    expect(shown).toMatchObject({ id: sessionId, status: 'disabled' });
    await manager.close();
  });

  it('errors --follow prints entries as they come and stops after --for', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'f' });
    const [proxy] = await manager.addProxies('f', ['http://u:pw@10.3.0.1:80']);
    const following = cli(prefix, ['errors', 'f', '--follow', '--for', '4', '--json']);
    await new Promise((r) => setTimeout(r, 1500));
    await manager.transitionProxyState('f', proxy?.id as string, 'disabled', 'follow-me');
    const result = await following;
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({ type: 'transition', reason: 'follow-me' }),
    );
    await manager.close();
  });

  it('imports a 10,000-line list with a summary of new and updated proxies', async () => {
    const prefix = ctx.uniquePrefix();
    const file = join(mkdtempSync(join(tmpdir(), 'lh-cli-')), 'big.txt');
    const lines = Array.from(
      { length: 10_000 },
      (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8000:user${i}:pw${i}`,
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    await cli(prefix, ['pool', 'create', 'big']);
    const first = await cli(prefix, ['proxy', 'import', 'big', '--file', file]);
    expect(first).toMatchObject({
      code: 0,
      stdout: 'imported 10000 proxies into big (0 updated)\n',
    });
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n10.200.0.1:8000:new:pw\n`);
    const second = await cli(prefix, ['proxy', 'import', 'big', '--file', file, '--json']);
    expect(JSON.parse(second.stdout)).toEqual({ pool: 'big', imported: 4, added: 1, updated: 3 });
  });
});
