import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';

// Each CLI call is a fresh Node process: give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 120_000);

// `proxy import` of provider gateways (PROXY_SERVER …, templates) and of a large list.
describeEachTarget('leasehold proxy import: gateways and large lists', (ctx) => {
  const cli = (prefix: string, args: string[], env: Record<string, string> = {}) =>
    runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix, ...env });

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
