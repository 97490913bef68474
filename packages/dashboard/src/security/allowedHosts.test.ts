import { AllowedHosts } from '@leasehold/core/internal';
import { describeEachTarget } from '@leasehold/testing';
import { HOUSEKEEPING_QUEUE, queuePrefix } from '@leasehold/worker';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  csrfFrom,
  duplicateOf,
  rawRequest,
  seedPool,
  useDashboards,
} from '../../test/testSupport.js';

describe('AllowedHosts', () => {
  const hosts = new AllowedHosts('127.0.0.1', 9470, ['dash.example', 'ops.example:8443']);

  it('answers to the loopback names with the bound port, and to configured names', () => {
    for (const host of ['127.0.0.1:9470', 'localhost:9470', 'LOCALHOST:9470', '[::1]:9470'])
      expect(hosts.allows(host), host).toBe(true);
    for (const host of ['dash.example', 'dash.example:1234', 'dash.example.', 'ops.example:8443'])
      expect(hosts.allows(host), host).toBe(true);
  });

  it('refuses other names, other ports, no Host and junk', () => {
    for (const host of [
      undefined,
      '',
      'evil.example:9470',
      'localhost:9471',
      '127.0.0.1',
      'ops.example:9470',
      'localhost.evil.example:9470',
      'user@localhost:9470',
      'localhost:9470/x',
      '[::1',
      '127.999.1.1:9470',
    ])
      expect(hosts.allows(host), String(host)).toBe(false);
  });

  it('accepts an Origin only of an allowed host, never null or junk', () => {
    expect(hosts.allowsOrigin('http://localhost:9470')).toBe(true);
    expect(hosts.allowsOrigin('https://dash.example')).toBe(true);
    for (const origin of [
      'null',
      'garbage',
      'http://evil.example:9470',
      'http://localhost:9471',
      'ftp://localhost:9470',
      'http://localhost:9470/path',
      'http://user@localhost:9470',
    ])
      expect(hosts.allowsOrigin(origin), origin).toBe(false);
  });

  it('adds the bind host; a wildcard bind adds nothing', () => {
    expect(new AllowedHosts('10.1.2.3', 80, []).allows('10.1.2.3')).toBe(true);
    expect(new AllowedHosts('::', 80, []).allows('[::]')).toBe(false);
    expect(new AllowedHosts('0.0.0.0', 80, []).allows('0.0.0.0')).toBe(false);
  });
});

describeEachTarget('dashboard: Host allow-list against DNS rebinding', (ctx) => {
  const start = useDashboards(ctx);

  it('a page rebinding its name to 127.0.0.1 reads nothing and changes nothing, bull-board included', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx);
    const { url } = await start({ prefix });
    const port = new URL(url).port;
    const csrf = csrfFrom((await rawRequest(`${url}/pools/${pool}`)).body);
    const evil = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };
    for (const path of [
      '/',
      `/pools/${pool}`,
      `/pools/${pool}/errors`,
      '/api/pools',
      '/metrics',
      '/healthz',
      '/queues',
      '/queues/api/queues',
      '/assets/app.js',
      '/login',
      '/nope',
    ]) {
      const res = await rawRequest(url + path, { headers: { host: evil.host } });
      expect(res.status, path).toBe(421);
      expect(res.body, path).not.toContain(pool);
      expect(res.body, path).not.toContain(csrf);
    }
    const id = proxies[0]?.id as string;
    const disable = await rawRequest(`${url}/pools/${pool}/proxies/${id}/disable`, {
      method: 'POST',
      headers: { ...evil, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(disable.status).toBe(421);
    const pause = await rawRequest(`${url}/queues/api/queues/${HOUSEKEEPING_QUEUE}/pause`, {
      method: 'PUT',
      headers: evil,
    });
    expect(pause.status).toBe(421);
    expect((await manager.getProxyState(pool, id)).status).toBe('active');
    const queue = new Queue(HOUSEKEEPING_QUEUE, {
      connection: duplicateOf(ctx.redis()),
      prefix: queuePrefix(prefix),
    });
    expect(await queue.isPaused()).toBe(false);
    await queue.close();
    await queue.disconnect();

    // Same requests under a name it answers to.
    for (const host of [`localhost:${port}`, `[::1]:${port}`, `127.0.0.1:${port}`])
      expect((await rawRequest(`${url}/api/pools`, { headers: { host } })).status, host).toBe(200);
  });

  it('answers to configured allowedHosts, for reads and same-site writes', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx);
    const { url } = await start({ prefix, allowedHosts: ['dash.example'] });
    const headers = { host: 'dash.example', origin: 'https://dash.example' };
    const page = await rawRequest(`${url}/pools/${pool}`, { headers: { host: headers.host } });
    expect(page.status).toBe(200);
    const id = proxies[1]?.id as string;
    const res = await rawRequest(`${url}/pools/${pool}/proxies/${id}/disable`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(csrfFrom(page.body))}`,
    });
    expect(res.status).toBe(303);
    expect((await manager.getProxyState(pool, id)).status).toBe('disabled');
  });

  it('refuses a write whose Origin is junk, null or not ours with 403, never a 500', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx);
    const { url } = await start({ prefix });
    const port = new URL(url).port;
    const csrf = csrfFrom((await rawRequest(`${url}/pools/${pool}`)).body);
    const id = proxies[0]?.id as string;
    // The Host is ours: the Origin alone says the request comes from elsewhere.
    for (const origin of ['garbage', 'null', `http://evil.example:${port}`, 'http://[::1']) {
      const res = await rawRequest(`${url}/pools/${pool}/proxies/${id}/disable`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: `csrf=${encodeURIComponent(csrf)}`,
      });
      expect(res.status, origin).toBe(403);
      expect(res.body, origin).toMatch(/cross-site/);
    }
    expect((await manager.getProxyState(pool, id)).status).toBe('active');
  });
});
