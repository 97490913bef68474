// Each helper's request goes through the leased proxy: the loopback proxy counts it and saw
// the lease's username. undici fetch, got and axios; http and SOCKS5 proxies; http and https
// targets.
import type { Lease } from '@leasehold/client';
import { describeEachTarget, type LoopbackProxy } from '@leasehold/testing';
import axios from 'axios';
import got from 'got';
import { expect, it } from 'vitest';
import { PASSWORD, served, USER, useHttpFixtures } from '../test/testSupport.js';
import { proxyAgents } from './agents.js';
import { proxyDispatcher } from './dispatcher.js';
import { fetch } from './index.js';

describeEachTarget('proxyDispatcher and proxyAgents through leased proxies', (ctx) => {
  const fx = useHttpFixtures(ctx);

  async function leaseOf(proxy: LoopbackProxy): Promise<Lease> {
    const { manager, pool } = await fx.pool();
    await manager.addProxies(pool, [proxy.url]);
    const lease = await manager.acquireProxy({ pool });
    if (!lease) throw new Error('no lease');
    // Released at once: the helpers need only the lease's proxy.
    await manager.releaseProxy(lease, { ok: true });
    return lease;
  }

  for (const kind of ['http', 'socks5'] as const) {
    it(`proxyDispatcher + undici fetch through a ${kind} proxy, http and https targets`, async () => {
      const proxy = kind === 'http' ? await fx.httpProxy() : await fx.socksProxy();
      const lease = await leaseOf(proxy);
      expect(lease.proxy.password).toBe(PASSWORD);
      const dispatcher = proxyDispatcher(lease, { tls: { ca: fx.sites.https.ca } });
      try {
        const plain = await fetch(`${fx.sites.http.origin}/ok`, { dispatcher });
        expect(await plain.text()).toBe('ok');
        const secure = await fetch(`${fx.sites.https.origin}/cookies`, {
          dispatcher,
          headers: { cookie: 'a=1' },
        });
        expect(await secure.text()).toBe('a=1');
      } finally {
        await dispatcher.close();
      }
      expect(served(proxy)).toBeGreaterThanOrEqual(2);
      expect(new Set(proxy.usernames)).toEqual(new Set([USER]));
      expect(proxy.refused).toBe(0);
    });

    it(`proxyAgents with got and axios through a ${kind} proxy`, async () => {
      const proxy = kind === 'http' ? await fx.httpProxy() : await fx.socksProxy();
      const lease = await leaseOf(proxy);
      // Agents of their own per client: keep-alive reuse inside one client does not hide
      // whether the other went through the proxy.
      const forGot = proxyAgents(lease);
      const forAxios = proxyAgents(lease);
      try {
        const viaGot = await got(`${fx.sites.http.origin}/ok`, { agent: forGot }).text();
        expect(viaGot).toBe('ok');
        const secure = await got(`${fx.sites.https.origin}/ok`, {
          agent: forGot,
          https: { certificateAuthority: fx.sites.https.ca },
        }).text();
        expect(secure).toBe('ok');
        // http and https are two origins: two requests or tunnels at the least.
        expect(served(proxy)).toBe(2);

        const viaAxios = await axios.get(`${fx.sites.http.origin}/cookies`, {
          httpAgent: forAxios.http,
          httpsAgent: forAxios.https,
          proxy: false,
          headers: { cookie: 'b=2' },
        });
        expect(viaAxios.data).toBe('b=2');
        expect(served(proxy)).toBe(3);
        // A 404 comes back as an answer through the proxy, not as a proxy failure.
        const missing = await axios.get(`${fx.sites.http.origin}/404`, {
          httpAgent: forAxios.http,
          proxy: false,
          validateStatus: () => true,
        });
        expect(missing.status).toBe(404);
      } finally {
        for (const agent of [forGot.http, forGot.https, forAxios.http, forAxios.https])
          agent.destroy();
      }
      expect(new Set(proxy.usernames)).toEqual(new Set([USER]));
      expect(proxy.refused).toBe(0);
    });
  }

  it('wrong credentials: the proxy refuses, and nothing reaches the site', async () => {
    const proxy = await fx.httpProxy();
    const lease = await leaseOf(proxy);
    const wrong = { proxy: { ...lease.proxy, password: 'not-it' } };
    const hits = fx.sites.http.hits('/ok');
    const dispatcher = proxyDispatcher(wrong);
    try {
      await expect(fetch(`${fx.sites.https.origin}/ok`, { dispatcher })).rejects.toThrow(
        'fetch failed',
      );
    } finally {
      await dispatcher.close();
    }
    expect(proxy.refused).toBe(1);
    expect(fx.sites.http.hits('/ok')).toBe(hits);
  });
});
