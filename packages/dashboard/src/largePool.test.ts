import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { PASSWORD, seedPool, useDashboards } from '../test/testSupport.js';

describeEachTarget('dashboard with a 1,000-proxy pool', (ctx) => {
  const start = useDashboards(ctx);

  it('renders the pool page (every row) and the overview quickly, without a password', async () => {
    const { prefix, pool } = await seedPool(ctx, 'big', 1000);
    const { url } = await start({ prefix });
    const timed = async (path: string) => {
      const t0 = performance.now();
      const res = await fetch(url + path);
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(body).not.toContain(PASSWORD);
      return { ms: performance.now() - t0, body };
    };
    await timed(`/pools/${pool}`); // warm-up
    const page = await timed(`/pools/${pool}`);
    const overview = await timed('/');
    expect(page.body.match(/<tr data-proxy=/g)).toHaveLength(1000);
    console.info(
      `[${ctx.target.kind}] 1,000-proxy pool page ${page.ms.toFixed(0)} ms (${(page.body.length / 1024).toFixed(0)} KiB), overview ${overview.ms.toFixed(0)} ms`,
    );
    // Generous: 0.4-0.5 s alone, 1.3-2.3 s with the whole suite on 2 cores.
    expect(page.ms).toBeLessThan(10_000);
  });
});
