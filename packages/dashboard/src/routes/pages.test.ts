import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { seedPool, useDashboards } from '../../test/testSupport.js';

describeEachTarget('dashboard pages: notices and Content-Security-Policy', (ctx) => {
  const start = useDashboards(ctx);

  it('the notice after an action is a fixed text about a real proxy, never the query', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx);
    const id = proxies[0]?.id as string;
    const { url } = await start({ prefix });
    const noticeOf = async (query: string) => {
      const page = await (await fetch(`${url}/pools/${pool}?${query}`)).text();
      return /<p class="notice">([^<]*)<\/p>/.exec(page)?.[1];
    };
    for (const query of [
      `done=constructor&proxy=${id}`,
      `done=__proto__&proxy=${id}`,
      `done=toString&proxy=${id}`,
      'done=disable&proxy=Your+account+is+locked.+Call+555-0100',
      'done=disable&proxy=0000000000000000',
      // Not disabled: the link says so, Redis does not.
      `done=disable&proxy=${id}`,
    ])
      expect(await noticeOf(query), query).toBeUndefined();
    await manager.transitionProxyState(pool, id, 'disabled', 'test');
    expect(await noticeOf(`done=disable&proxy=${id}`)).toBe(`Disabled proxy ${id}.`);
    expect(await noticeOf(`done=reset&proxy=${id}`)).toBe(`Reset proxy ${id}.`);
  });

  it('every page carries a strict CSP and no inline script or style; /queues a CSP of its own', async () => {
    const { prefix, pool } = await seedPool(ctx);
    const { url } = await start({ prefix });
    for (const path of [
      '/',
      `/pools/${pool}`,
      `/pools/${pool}/errors`,
      '/pools/nope',
      '/api/pools',
    ]) {
      const res = await fetch(url + path, { headers: { accept: 'text/html' } });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).not.toContain('unsafe');
      const body = await res.text();
      expect(body, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(body, path).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    }
    const queues = await fetch(`${url}/queues`);
    const csp = queues.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    // Nothing from the internet: bull-board's Google Fonts link is taken out.
    expect(await queues.text()).not.toContain('https://');
  });

  it('offers the disabled proxies of a pool as a filter, with counts from the pool', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx, 'filters', 4);
    const [a, b] = proxies.map((p) => p.id);
    for (const id of [a, b])
      await manager.transitionProxyState(pool, id as string, 'disabled', 't');
    const { url } = await start({ prefix });
    const page = await (await fetch(`${url}/pools/${pool}?status=disabled`)).text();
    expect(page.match(/<tr data-proxy=/g)).toHaveLength(2);
    expect(page).toMatch(/class="on" data-filter="disabled" href="[^"]+">Disabled 2</);
    expect(page).toContain('End of the list');
    const bad = await fetch(`${url}/api/pools/${pool}/proxies?status=bogus&limit=501`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: expect.stringMatching(/query\.(status|limit)/),
    });
  });
});
