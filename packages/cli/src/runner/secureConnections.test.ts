import { randomBytes } from 'node:crypto';
import { aclDenials, describeEachSecureTarget, runLeaseholdCli } from '@leasehold/testing';
import { expect, it } from 'vitest';

// The CLI as an operator runs it against managed Redis: rediss://, an ACL user, a private CA.
describeEachSecureTarget('leasehold CLI over TLS with an ACL user', 'client', (ctx) => {
  function cli(args: string[], password = ctx.user().password, trustCa = true) {
    return runLeaseholdCli(args, {
      ...ctx.redis().env({ username: ctx.user().username, password }),
      LEASEHOLD_PREFIX: 'lh',
      ...(trustCa ? {} : { NODE_EXTRA_CA_CERTS: '' }),
    });
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
    expect(result.stderr).toMatch(
      /Cannot reach Redis at .*rediss:\/\/\*\*\*(:\*\*\*)?@127\.0\.0\.1/,
    );
    // ioredis' cluster reports only "Connection is closed." for its nodes' TLS failures.
    if (ctx.kind === 'standalone') expect(result.stderr).toMatch(/certificate/i);
    expect(result.stderr).not.toContain(ctx.user().password);
  }, 90_000);
});
