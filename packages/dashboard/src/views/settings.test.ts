import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { seedPool, useDashboards } from '../../test/testSupport.js';

describeEachTarget('dashboard: the pool page shows its settings', (ctx) => {
  const start = useDashboards(ctx);

  it('lists selection and health settings, "off" where unset, no credential of the check URL', async () => {
    const { prefix, manager, pool } = await seedPool(ctx, 'settings', 1);
    const { url } = await start({ prefix });
    const setting = async (name: string) => {
      const page = await (await fetch(`${url}/pools/${pool}`)).text();
      return new RegExp(`<dd data-setting="${name}">([^<]*)</dd>`).exec(page)?.[1];
    };
    expect(await setting('reuse delay')).toBe('off');
    expect(await setting('health check')).toBe('off');
    expect(await setting('minimum health')).toBe('off');

    await manager.upsertPool({
      name: pool,
      reuseDelaySeconds: 2.5,
      scopeReuseDelaySeconds: 30,
      defaultMaxConcurrency: 4,
      minHealthScore: 0.35,
      healthCheck: { url: 'http://probe:s3cret@127.0.0.1:9/health', intervalSeconds: 30 },
    });
    const page = await (await fetch(`${url}/pools/${pool}`)).text();
    expect(page).not.toContain('s3cret');
    expect(await setting('reuse delay')).toBe('2.5 s');
    expect(await setting('scope reuse delay')).toBe('30 s');
    expect(await setting('default cap')).toBe('4');
    expect(await setting('minimum health')).toBe('0.35');
    expect(await setting('health check')).toMatch(
      /^http:\/\/[^@]*\*\*\*[^@]*@127\.0\.0\.1:9\/health every 30 s, timeout 10 s$/,
    );
    await manager.close();
  });
});
