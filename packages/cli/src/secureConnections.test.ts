import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  aclDenials,
  applyAcl,
  type DocumentedAcl,
  readDocumentedAcl,
  type SecureRedisHandle,
  startSecureRedis,
} from '@leasehold/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const main = join(root, 'packages/cli/src/main.ts');

// The CLI as an operator runs it against managed Redis: rediss://, an ACL user, a private CA.
for (const kind of ['standalone', 'cluster'] as const) {
  describe(`leasehold CLI over TLS with an ACL user [${kind}]`, () => {
    let redis: SecureRedisHandle;
    let acl: DocumentedAcl;
    const password = `c/l@${randomBytes(6).toString('hex')}`;

    beforeAll(async () => {
      redis = await startSecureRedis({ users: [], cluster: kind === 'cluster' });
      acl = await readDocumentedAcl('client', password);
      await applyAcl(redis, acl);
    }, 120_000);
    afterAll(async () => {
      await redis?.stop();
    });

    async function cli(
      args: string[],
      user = { username: acl.username, password },
      trustCa = true,
    ) {
      const connection =
        kind === 'cluster'
          ? {
              REDIS_CLUSTER_NODES: redis.nodeList,
              REDIS_USERNAME: user.username,
              REDIS_PASSWORD: user.password,
              REDIS_TLS: 'true',
            }
          : { REDIS_URL: redis.url(user), REDIS_CLUSTER_NODES: '' };
      try {
        const { stdout, stderr } = await run(tsx, [main, ...args], {
          cwd: root,
          env: {
            ...process.env,
            REDIS_URL: '',
            ...connection,
            LEASEHOLD_PREFIX: 'lh',
            NODE_EXTRA_CA_CERTS: trustCa ? redis.caFile : '',
          },
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    }

    it("creates, imports and lists under README's client ACL, nothing denied", async () => {
      const pool = `cli-${randomBytes(4).toString('hex')}`;
      expect((await cli(['pool', 'create', pool])).code).toBe(0);
      const listed = await cli(['pools', '--json']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(pool);
      expect(await aclDenials(redis)).toEqual([]);
    }, 90_000);

    it('says a password is wrong without printing it (exit 1)', async () => {
      const wrong = `wrong-${randomBytes(6).toString('hex')}`;
      const result = await cli(['pools'], { username: acl.username, password: wrong });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/refused the credentials/);
      expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
      await aclDenials(redis, true);
    }, 90_000);

    it('refuses a server certificate from a CA it was not told to trust', async () => {
      const result = await cli(['pools'], undefined, false);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Cannot reach Redis at .*rediss:\/\/\*\*\*@127\.0\.0\.1/);
      // ioredis' cluster reports only "Connection is closed." for its nodes' TLS failures.
      if (kind === 'standalone') expect(result.stderr).toMatch(/certificate/i);
      expect(result.stderr).not.toContain(password);
    }, 90_000);
  });
}
