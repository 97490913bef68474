import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { aclDenials, describeEachSecureTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const main = join(root, 'packages/cli/src/main.ts');

// The CLI as an operator runs it against managed Redis: rediss://, an ACL user, a private CA.
describeEachSecureTarget('leasehold CLI over TLS with an ACL user', 'client', (ctx) => {
  async function cli(args: string[], password = ctx.user().password, trustCa = true) {
    const env = ctx.redis().env({ username: ctx.user().username, password });
    try {
      const { stdout, stderr } = await run(tsx, [main, ...args], {
        cwd: root,
        env: {
          ...process.env,
          ...env,
          LEASEHOLD_PREFIX: 'lh',
          ...(trustCa ? {} : { NODE_EXTRA_CA_CERTS: '' }),
        },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it("creates and lists pools under README's client ACL, nothing denied", async () => {
    const pool = `cli-${randomBytes(4).toString('hex')}`;
    expect((await cli(['pool', 'create', pool])).code).toBe(0);
    const listed = await cli(['pools', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(pool);
    expect(await aclDenials(ctx.redis())).toEqual([]);
  }, 90_000);

  it('says a password is wrong without printing it (exit 1)', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const result = await cli(['pools'], wrong);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused the credentials/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
    await aclDenials(ctx.redis(), true);
  }, 90_000);

  it('refuses a server certificate from a CA it was not told to trust', async () => {
    const result = await cli(['pools'], undefined, false);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cannot reach Redis at .*rediss:\/\/\*\*\*@127\.0\.0\.1/);
    // ioredis' cluster reports only "Connection is closed." for its nodes' TLS failures.
    if (ctx.kind === 'standalone') expect(result.stderr).toMatch(/certificate/i);
    expect(result.stderr).not.toContain(ctx.user().password);
  }, 90_000);
});
