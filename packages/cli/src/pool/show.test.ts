import { ProxyManager } from '@leasehold/client';
import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import { it as baseIt, expect } from 'vitest';
import { cliInProcess } from '../../test/cliSupport.js';

// Each CLI call is a fresh Node process: give these tests room on 2 cores.
const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 120_000);

describeEachTarget('leasehold shows minHealthScore, healthCheck and benched proxies', (ctx) => {
  const cli = (prefix: string, args: string[]) =>
    runLeaseholdCli(args, { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix });

  it('pool show lists the settings; proxy show says benched, why and until when', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({
      name: 'p',
      failureThreshold: 50,
      minHealthScore: 0.5,
      healthCheck: { url: 'https://example.com/health', intervalSeconds: 120 },
    });
    const [proxy] = await manager.addProxies('p', ['http://alice:s3cret@10.1.0.1:8080']);
    const id = proxy?.id as string;
    const lease = await manager.acquireProxy({ pool: 'p' });
    if (lease === null) throw new Error('no lease');
    await manager.releaseProxy(lease, { ok: false, error: 'network' });

    const pool = JSON.parse((await cli(prefix, ['pool', 'show', 'p', '--json'])).stdout);
    expect(pool).toMatchObject({
      minHealthScore: 0.5,
      healthCheck: { url: 'https://example.com/health', intervalSeconds: 120, timeoutSeconds: 10 },
    });
    const poolText = await cli(prefix, ['pool', 'show', 'p']);
    expect(poolText.stdout).toMatch(/minHealthScore\s+0\.5/);
    expect(poolText.stdout).toMatch(/healthCheck\s+\{"url":"https:\/\/example\.com\/health"/);
    const shown = JSON.parse((await cli(prefix, ['proxy', 'show', 'p', id, '--json'])).stdout);
    expect(shown.state).toMatchObject({ benched: true, benchReason: 'health_below_minimum' });
    expect(shown.state.benchedUntil).toBeGreaterThan(Date.now() - 60_000);
    const text = await cli(prefix, ['proxy', 'show', 'p', id]);
    expect(text.stdout).toMatch(/benched\s+true/);
    expect(text.stdout).toMatch(/benchReason\s+health_below_minimum/);
    expect(text.stdout).not.toContain('s3cret');
  });

  it("pool show masks the health-check URL's password in text and --json, unless asked", async () => {
    const prefix = ctx.uniquePrefix();
    const env = { ...redisTargetEnv(ctx.target), LEASEHOLD_PREFIX: prefix };
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    const url = 'https://probe:pr0be-s3cret@health.example/check?token=1';
    await manager.upsertPool({ name: 'p', healthCheck: { url, intervalSeconds: 60 } });
    const text = await cliInProcess(['pool', 'show', 'p'], env);
    const json = await cliInProcess(['pool', 'show', 'p', '--json'], env);
    for (const shown of [text, json]) {
      expect(shown.code).toBe(0);
      expect(shown.stdout).not.toContain('pr0be-s3cret');
      expect(shown.stdout).toContain('https://***:***@health.example/check');
    }
    const asked = await cliInProcess(['pool', 'show', 'p', '--json', '--show-credentials'], env);
    expect(JSON.parse(asked.stdout).healthCheck.url).toBe(url);
    await manager.close();
  });
});
