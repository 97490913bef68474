import { PoolStatsReader } from '@leasehold/client';
import { describeEachTarget } from '@leasehold/testing';
import { recordPoolSamples } from '@leasehold/worker';
import { expect, it } from 'vitest';
import { HOSTILE, seedPool, useDashboards } from '../../test/testSupport.js';

const pointsOf = (page: string, series: string) =>
  new RegExp(`data-series="${series}"[^>]*points="([^"]*)"`).exec(page)?.[1]?.split(' ') ?? [];

describeEachTarget('dashboard charts from the worker samples', (ctx) => {
  const start = useDashboards(ctx);

  it('draws acquires, failures by category and capacity per interval; a sparkline on /', async () => {
    const { prefix, manager, pool } = await seedPool(ctx);
    const sampler = {
      manager,
      redis: ctx.redis(),
      statsReader: new PoolStatsReader(ctx.redis(), manager.keys),
    };
    await recordPoolSamples(sampler);
    const acquiresPerInterval = [3, 0, 2, 1];
    for (const n of acquiresPerInterval) {
      for (let i = 0; i < n; i++) {
        const lease = await manager.acquireProxy({ pool });
        if (!lease) throw new Error('no lease');
        await manager.releaseProxy(lease, i === 0 ? { ok: false, error: 'timeout' } : { ok: true });
      }
      await recordPoolSamples(sampler);
    }
    const { url } = await start({ prefix });
    const page = await (await fetch(`${url}/pools/${pool}`)).text();
    expect(page).not.toContain('id="charts-empty"');
    expect(page.match(/<figure class="chart">/g)).toHaveLength(3);
    const acquires = pointsOf(page, 'acquires');
    expect(acquires).toHaveLength(acquiresPerInterval.length);
    // Heights follow the deltas: the 0 interval sits on the baseline, the 3 at the top.
    const ys = acquires.map((p) => Number(p.split(',')[1]));
    expect(ys[1]).toBe(90);
    expect(ys[0]).toBe(0);
    expect(pointsOf(page, 'timeout')).toHaveLength(acquiresPerInterval.length);
    expect(pointsOf(page, 'available')).toHaveLength(acquiresPerInterval.length);

    const overview = await (await fetch(`${url}/`)).text();
    expect(overview).toMatch(/<svg class="spark"[^>]*><polyline [^>]*points="([^"]* ){3}[^" ]+"/);
    // 3 timeouts of 6 outcomes.
    expect(overview).toContain('50.0%');
    const api = (await (await fetch(`${url}/api/pools`)).json()) as { spark: number[] }[];
    expect(api[0]?.spark).toEqual(acquiresPerInterval);
  });

  it('says where samples come from when a pool has none, and escapes the pool name', async () => {
    const { prefix } = await seedPool(ctx, 'quiet');
    const { url } = await start({ prefix });
    const page = await (await fetch(`${url}/pools/quiet`)).text();
    expect(page).toContain('id="charts-empty"');
    expect(page).toContain('leasehold worker');
    expect(page).not.toContain('<svg');
    expect(page).not.toContain(HOSTILE);
    const overview = await (await fetch(`${url}/`)).text();
    expect(overview).not.toContain('class="spark"');
  });
});
