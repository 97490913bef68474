import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { seedPool, useDashboards } from '../../test/testSupport.js';

describeEachTarget('dashboard: a proxy within its reuse delay', (ctx) => {
  const start = useDashboards(ctx);

  it('shows it resting until the delay ends, and counts it so', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx, 'delays', 2);
    await manager.upsertPool({ name: pool, reuseDelaySeconds: 600, selector: 'first-available' });
    const lease = await manager.acquireProxy({ pool });
    expect(lease?.proxyId).toBe(proxies[0]?.id);
    const { url } = await start({ prefix });
    const { proxies: rows } = (await (await fetch(`${url}/api/pools/${pool}/proxies`)).json()) as {
      proxies: { id: string; state: string; backAt: number | null }[];
    };
    const delayed = rows.find((r) => r.id === lease?.proxyId);
    const other = rows.find((r) => r.id !== lease?.proxyId);
    expect(delayed).toMatchObject({
      state: 'resting',
      backAt: (lease?.acquiredAt as number) + 600_000,
    });
    expect(other).toMatchObject({ state: 'active', backAt: null });
    const page = await (await fetch(`${url}/pools/${pool}`)).text();
    expect(page).toContain('<span class="pill resting">resting</span>');
    const [overview] = (await (await fetch(`${url}/api/pools`)).json()) as {
      counts: Record<string, number>;
    }[];
    expect(overview?.counts).toMatchObject({ active: 2, availableProxies: 1, totalLeases: 1 });
    await manager.close();
  });
});
