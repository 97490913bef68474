import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import {
  countCommands,
  duplicateOf,
  PASSWORD,
  seedPool,
  useDashboards,
} from '../../test/testSupport.js';

const TOTAL = 20_000;
const DISABLED = 3000;

describeEachTarget('dashboard with a 20,000-proxy pool', (ctx) => {
  const start = useDashboards(ctx);

  it('counts every proxy, reaches the disabled ones past 10,000, and bounds each page', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx, 'big', TOTAL);
    // The last 3,000 in insertion order: beyond any first-10,000 window.
    const disabled = proxies.slice(TOTAL - DISABLED).map((p) => p.id);
    for (let i = 0; i < disabled.length; i += 200)
      await Promise.all(
        disabled
          .slice(i, i + 200)
          .map((id) => manager.transitionProxyState(pool, id, 'disabled', 'test')),
      );
    const redis = duplicateOf(ctx.redis());
    const commands = countCommands(redis);
    const { url } = await start({ prefix, redis });
    const get = async (path: string) => {
      commands.take('fcall');
      const t0 = performance.now();
      const res = await fetch(url + path);
      const body = await res.text();
      expect(res.status, path).toBe(200);
      expect(body, path).not.toContain(PASSWORD);
      return { body, ms: performance.now() - t0, fcalls: commands.take('fcall') };
    };

    const overview = await get('/api/pools');
    expect(JSON.parse(overview.body)[0].counts).toMatchObject({
      totalProxies: TOTAL,
      active: TOTAL - DISABLED,
      disabled: DISABLED,
    });
    // Counters, not rows: one stats script per pool.
    expect(overview.fcalls).toBeLessThanOrEqual(2);

    await get(`/pools/${pool}`); // warm-up
    const page = await get(`/pools/${pool}`);
    expect(page.body.match(/<tr data-proxy=/g)).toHaveLength(100);
    expect(page.body).toContain('20,000 proxies · 17,000 active · 3,000 disabled');
    expect(page.body.length).toBeLessThan(200_000);
    // Two reads per row (state, health) and the counters: not one per proxy of the pool.
    expect(page.fcalls).toBeLessThanOrEqual(2 * 100 + 5);

    // Every disabled proxy, page by page through the JSON API.
    const seen: string[] = [];
    let after: number | null = -1;
    while (after !== null) {
      const cursor: string = after < 0 ? '' : `&after=${after}`;
      const res = await get(`/api/pools/${pool}/proxies?status=disabled&limit=500${cursor}`);
      const body = JSON.parse(res.body) as {
        proxies: { id: string; status: string }[];
        next: number | null;
      };
      expect(body.proxies.every((p) => p.status === 'disabled')).toBe(true);
      expect(res.fcalls).toBeLessThanOrEqual(4 * 501 + 500 + 5);
      seen.push(...body.proxies.map((p) => p.id));
      after = body.next;
    }
    expect(seen).toEqual(disabled);

    // No open circuit among 3,000 unavailable proxies: a page gives up after a bounded read
    // and offers `next` rather than walking them all.
    const open = await get(`/api/pools/${pool}/proxies?status=open&limit=100`);
    expect(JSON.parse(open.body)).toMatchObject({ proxies: [], next: expect.any(Number) });
    expect(open.fcalls).toBeLessThanOrEqual(4 * 101 + 5);

    // And in the page: the filter tab, then "next" links with a cursor.
    const filtered = await get(`/pools/${pool}?status=disabled`);
    expect(filtered.body).toContain(`data-proxy="${disabled[0]}"`);
    const next = /rel="next" href="([^"]+)"/.exec(filtered.body)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toMatch(/status=disabled&after=\d+$/);
    expect((await get(next as string)).body).toContain(`data-proxy="${disabled[100]}"`);
    console.info(
      `[${ctx.target.kind}] ${TOTAL}-proxy pool page: ${(page.body.length / 1024).toFixed(0)} KiB, ${page.ms.toFixed(0)} ms, ${page.fcalls} FCALLs; /api/pools ${overview.ms.toFixed(0)} ms, ${overview.fcalls} FCALL`,
    );
    // Generous: a 2-core machine running other suites.
    expect(page.ms).toBeLessThan(5000);
    redis.disconnect();
  }, 180_000);
});
