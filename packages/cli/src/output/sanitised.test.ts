import { ProxyManager } from '@leasehold/client';
import { describeEachTarget, redisTargetEnv } from '@leasehold/testing';
import { expect, it, vi } from 'vitest';
import { cliInProcess, startCli } from '../../test/cliSupport.js';

const OSC52 = '\u001b]52;c;ZXZpbA==\u0007';
const CLEAR = '\u001b[2J';
const OSC8 = '\u001b]8;;http://evil.example\u001b\\link\u001b]8;;\u001b\\';
const RLO = '\u202e';

/** Nothing that drives a terminal: no ESC, BEL or bidi override left raw. */
function expectInert(text: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
}

// Stored text (messages, reasons, labels, consumer names) reaches people through every
// human-readable command as visible escapes; --json stays JSON.
describeEachTarget(
  'leasehold prints stored text inert',
  (ctx) => {
    it('errors, errors --follow, proxy list/show and lease list escape what they print', async () => {
      const prefix = ctx.uniquePrefix();
      const env = { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix };
      const manager = new ProxyManager({ redis: ctx.redis(), prefix });
      await manager.upsertPool({ name: 'p', failureThreshold: 10 });
      const [proxy] = await manager.addProxies('p', [
        { url: 'http://10.0.0.1:8080', labels: { note: `a${CLEAR}b${OSC52}` } },
      ]);
      const id = proxy?.id as string;
      const lease = await manager.acquireProxy({ pool: 'p', consumer: `c${OSC52}` });
      if (lease === null) throw new Error('no lease');
      await manager.recordResult(lease, {
        ok: false,
        error: 'blocked',
        message: `first line\nforged row  -  -${OSC8}`,
      });
      await manager.transitionProxyState('p', id, 'disabled', `ops${RLO}gnp.exe`);

      const errors = await cliInProcess(['errors', 'p'], env);
      expect(errors.code).toBe(0);
      expectInert(errors.stdout);
      // Two entries: a header, its rule and two rows, however many newlines were stored.
      expect(errors.stdout.trimEnd().split('\n')).toHaveLength(4);
      expect(errors.stdout).toContain('first line\\nforged row');
      expect(errors.stdout).toContain('\\x1b]8;;http://evil.example');
      expect(errors.stdout).toContain('ops\\u202egnp.exe');

      for (const args of [
        ['proxy', 'list', 'p'],
        ['proxy', 'show', 'p', id],
        ['lease', 'list', 'p'],
      ]) {
        const shown = await cliInProcess(args, env);
        expect(shown.code, args.join(' ')).toBe(0);
        expectInert(shown.stdout);
      }
      expect((await cliInProcess(['proxy', 'show', 'p', id], env)).stdout).toContain(
        'note=a\\x1b[2Jb\\x1b]52;c;ZXZpbA==\\x07',
      );
      expect((await cliInProcess(['lease', 'list', 'p'], env)).stdout).toContain(
        'c\\x1b]52;c;ZXZpbA==\\x07',
      );

      const following = startCli(['errors', 'p', '--follow'], env);
      await vi.waitFor(() => expect(following.stderr()).toContain('following'));
      await manager.releaseProxy(lease, { ok: false, error: 'blocked', message: `late${CLEAR}` });
      await vi.waitFor(() => expect(following.stdout()).toContain('late\\x1b[2J'));
      following.interrupt();
      expect(await following.done).toBe(0);
      expectInert(following.stdout());

      // JSON escapes control characters itself, and keeps the text exact for scripts.
      const json = await cliInProcess(['errors', 'p', '--json'], env);
      expect(json.stdout).not.toContain('\u001b');
      expect(json.stdout).not.toContain('\u0007');
      const reasons = (JSON.parse(json.stdout) as { reason?: string }[]).map((e) => e.reason);
      expect(reasons).toContain(`ops${RLO}gnp.exe`);
      await manager.close();
    });
  },
  { targets: ['standalone'] },
);
