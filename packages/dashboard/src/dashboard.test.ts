import { describeEachTarget } from '@leasehold/testing';
import { describe, expect, it } from 'vitest';
import { csrfFrom, form, HOSTILE, PASSWORD, seedPool, useDashboards } from '../test/testSupport.js';
import { DashboardTokenRequiredError } from './options.js';

const TOKEN = 'a-long-dashboard-token-0123456789';

describe('startDashboard options', () => {
  it('refuses a non-loopback bind without a token, naming LEASEHOLD_DASHBOARD_TOKEN', async () => {
    const { startDashboard } = await import('./server.js');
    const attempt = startDashboard({ host: '0.0.0.0', port: 0, redis: {} as never });
    await expect(attempt).rejects.toBeInstanceOf(DashboardTokenRequiredError);
    await expect(attempt).rejects.toMatchObject({
      field: 'token',
      hint: expect.stringContaining('LEASEHOLD_DASHBOARD_TOKEN'),
    });
  });
});

describeEachTarget('dashboard over HTTP', (ctx) => {
  const start = useDashboards(ctx);

  it('serves pages, JSON, /metrics, /healthz and /queues without a password anywhere', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx);
    const [first] = proxies;
    const lease = await manager.acquireProxy({ pool });
    if (!lease) throw new Error('no lease');
    await manager.releaseProxy(lease, {
      ok: false,
      error: 'blocked',
      statusCode: 403,
      message: `<img src=x onerror=alert(1)> via ${lease.proxy.url}`,
    });
    const { url } = await start({ prefix });
    const paths = [
      '/',
      `/pools/${pool}`,
      `/pools/${pool}/errors`,
      `/pools/${pool}/errors?type=failure&category=blocked`,
      '/api/pools',
      `/api/pools/${pool}/proxies`,
      '/metrics',
      '/healthz',
      '/queues',
      '/queues/api/queues',
    ];
    const bodies = new Map<string, string>();
    for (const path of paths) {
      const res = await fetch(url + path);
      expect(res.status, path).toBe(200);
      bodies.set(path, await res.text());
    }
    for (const [path, body] of bodies) expect(body, path).not.toContain(PASSWORD);
    const poolPage = bodies.get(`/pools/${pool}`) ?? '';
    expect(poolPage).toContain(first?.id);
    expect(poolPage).toContain('http://***:***@10.9.0.1:8080');
    // Escaped, never raw: labels and error messages come from scrapers.
    expect(poolPage).not.toContain(HOSTILE);
    expect(poolPage).toContain('&lt;script&gt;window.pwned=1&lt;/script&gt;');
    expect(bodies.get(`/pools/${pool}/errors`)).toContain('&lt;img src=x');
    expect(bodies.get(`/pools/${pool}/errors`)).not.toContain('<img');
    expect(bodies.get('/metrics')).toMatch(new RegExp(`pool_proxies\\{pool="${pool}"\\} 3`));
    expect(bodies.get('/queues/api/queues')).toContain('housekeeping');
    expect(JSON.parse(bodies.get('/api/pools') ?? '[]')[0]).toMatchObject({
      pool,
      counts: { totalProxies: 3, active: 3, disabled: 0 },
    });
  });

  it('shows any label name and the location of a proxy in its row', async () => {
    const { prefix, manager, pool } = await seedPool(ctx, 'geo', 0);
    const [record] = await manager.addProxies(pool, [
      {
        url: 'http://10.9.9.1:8080',
        labels: { provider: 'acme', tier: 'gold' },
        location: { latitude: -34.6037, longitude: -58.3816 },
      },
    ]);
    const { url } = await start({ prefix });
    const page = await (await fetch(`${url}/pools/${pool}`)).text();
    const row = page.slice(page.indexOf(`data-proxy="${record?.id}"`));
    expect(row).toContain('provider=acme');
    expect(row).toContain('tier=gold');
    expect(row).toContain('at -34.6037,-58.3816');
    const api = JSON.parse(await (await fetch(`${url}/api/pools/${pool}/proxies`)).text());
    expect(JSON.stringify(api)).toContain('"location":{"latitude":-34.6037,"longitude":-58.3816}');
  });

  it('shows a gateway proxy redacted: neither its template nor a lease token', async () => {
    const { prefix, manager, pool } = await seedPool(ctx, 'gw', 0);
    const template = `http://customer-acme-cc-us-session-{session}:${PASSWORD}@gw.example:7777`;
    await manager.addProxies(pool, [template]);
    const lease = await manager.acquireProxy({ pool, session: true });
    if (!lease) throw new Error('no lease');
    await manager.releaseProxy(lease, {
      ok: false,
      error: 'blocked',
      statusCode: 403,
      message: `blocked via ${lease.proxy.url}`,
    });
    const { url } = await start({ prefix });
    const bodies: string[] = [];
    for (const path of [`/pools/${pool}`, `/pools/${pool}/errors`, `/api/pools/${pool}/proxies`]) {
      const res = await fetch(url + path);
      expect(res.status, path).toBe(200);
      bodies.push(await res.text());
    }
    expect(bodies[0]).toContain('http://***:***@gw.example:7777 (gateway: {session} in username)');
    expect(bodies[1]).toContain('blocked via');
    for (const body of bodies) {
      expect(body).not.toContain(PASSWORD);
      expect(body).not.toContain('customer-acme');
      expect(body).not.toContain(lease.proxy.gatewaySession);
    }
  });

  it('disable, enable and reset change Redis and the page after the redirect', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx);
    const id = proxies[1]?.id as string;
    const { url } = await start({ prefix });
    const csrf = csrfFrom(await (await fetch(`${url}/pools/${pool}`)).text());

    const res = await fetch(`${url}/pools/${pool}/proxies/${id}/disable`, form({ csrf }));
    expect(res.status).toBe(303);
    expect((await manager.getProxyState(pool, id)).status).toBe('disabled');
    const after = await (await fetch(url + (res.headers.get('location') ?? ''))).text();
    expect(after).toContain(`Disabled proxy ${id}.`);
    expect(after).toMatch(new RegExp(`data-proxy="${id}" data-state="disabled"`));

    await fetch(`${url}/pools/${pool}/proxies/${id}/enable`, form({ csrf }));
    expect((await manager.getProxyState(pool, id)).status).toBe('active');

    // Two failures open the circuit (failureThreshold 2); reset closes it.
    for (let i = 0; i < 2; i++) {
      const lease = await manager.acquireProxy({
        pool,
        filters: { exclude: proxies.filter((p) => p.id !== id).map((p) => p.id) },
      });
      if (!lease) throw new Error('no lease');
      await manager.releaseProxy(lease, { ok: false, error: 'network' });
    }
    expect((await manager.getProxyState(pool, id)).circuit).toBe('open');
    await fetch(`${url}/pools/${pool}/proxies/${id}/reset`, form({ csrf }));
    expect((await manager.getProxyState(pool, id)).circuit).toBe('closed');
  });

  it('refuses actions without the CSRF token or from another site, and writes nothing', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx);
    const id = proxies[0]?.id as string;
    const { url } = await start({ prefix });
    const csrf = csrfFrom(await (await fetch(`${url}/pools/${pool}`)).text());
    const action = `${url}/pools/${pool}/proxies/${id}/disable`;
    expect((await fetch(action, form({}))).status).toBe(403);
    expect((await fetch(action, form({ csrf: 'wrong' }))).status).toBe(403);
    const crossSite = form({ csrf });
    crossSite.headers = { ...crossSite.headers, origin: 'https://evil.example' };
    expect((await fetch(action, crossSite)).status).toBe(403);
    expect((await manager.getProxyState(pool, id)).status).toBe('active');
  });

  it('with a token every route needs it: Bearer header or the login cookie', async () => {
    const { prefix, pool } = await seedPool(ctx);
    const { url } = await start({ prefix, token: TOKEN });
    for (const path of [
      '/',
      `/pools/${pool}`,
      '/metrics',
      '/healthz',
      '/queues',
      '/api/pools',
      '/assets/app.js',
    ]) {
      const res = await fetch(url + path, { redirect: 'manual' });
      expect(res.status, path).toBe(401);
      expect(await res.text(), path).not.toContain(pool);
    }
    // A browser is sent to the login form.
    const browser = await fetch(`${url}/pools/${pool}`, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toMatch(/^\/login/);
    expect(
      (await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer nope-nope-nope-nope' } }))
        .status,
    ).toBe(401);
    expect(
      (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(200);

    const wrong = await fetch(`${url}/login`, form({ token: 'not-the-token-at-all' }));
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const login = await fetch(`${url}/login`, form({ token: TOKEN }));
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const page = await fetch(`${url}/pools/${pool}`, {
      headers: { cookie: cookie.split(';')[0] as string },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Leases/cap');
  });

  it('answers 404 for an unknown pool and 400 for a malformed one', async () => {
    const { prefix } = await seedPool(ctx);
    const { url } = await start({ prefix });
    expect((await fetch(`${url}/pools/nope`, { headers: { accept: 'text/html' } })).status).toBe(
      404,
    );
    const bad = await fetch(`${url}/pools/${encodeURIComponent('<b>x</b>')}`, {
      headers: { accept: 'text/html' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain('<b>x</b>');
  });
});
