import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { PASSWORD, seedPool, useDashboards } from '../../test/testSupport.js';

describeEachTarget('dashboard: benched proxies', (ctx) => {
  const start = useDashboards(ctx);

  it('a proxy benched by minHealthScore shows as benched, with its reason and when it is back', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx, 'bench', 2);
    await manager.upsertPool({ name: pool, failureThreshold: 50, minHealthScore: 0.5 });
    const lease = await manager.acquireProxy({ pool, selector: 'first-available' });
    if (!lease) throw new Error('no lease');
    await manager.releaseProxy(lease, { ok: false, error: 'network' });
    const benchedId = lease.proxyId;
    const { benchedUntil } = await manager.getProxyState(pool, benchedId);
    expect(benchedUntil).not.toBeNull();

    const { url } = await start({ prefix });
    const { proxies: rows } = (await (await fetch(`${url}/api/pools/${pool}/proxies`)).json()) as {
      proxies: { id: string; state: string; backAt: number | null; benchReason: string | null }[];
    };
    expect(rows.find((r) => r.id === benchedId)).toMatchObject({
      state: 'benched',
      backAt: benchedUntil,
      benchReason: 'health_below_minimum',
    });
    const other = proxies.find((p) => p.id !== benchedId)?.id;
    expect(rows.find((r) => r.id === other)).toMatchObject({ state: 'active', benchReason: null });
    // Status counts: a benched proxy is still active (its rest is the pool page's to show).
    const overview = (await (await fetch(`${url}/api/pools`)).json()) as {
      counts: Record<string, number>;
    }[];
    expect(overview[0]?.counts).toMatchObject({ active: 2, disabled: 0, availableProxies: 1 });
    const page = await (await fetch(`${url}/pools/${pool}`)).text();
    expect(page).toContain('class="pill benched" title="health_below_minimum"');
    expect(page).not.toContain(PASSWORD);
  });
});
