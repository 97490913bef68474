// leasedFetch through a provider-style gateway (a `{session}` template in the proxy URL):
// a sticky session keeps one session id at the gateway (one exit), a lease without one gets a
// new id each time. undici tunnels with CONNECT, which the local gateway records per tunnel;
// a session's requests reuse its tunnel (the dispatcher is kept per filled-in URL).
import { describeEachTarget, type GatewayProxy, startGatewayProxy } from '@leasehold/testing';
import { afterEach, expect, it } from 'vitest';
import { useHttpFixtures } from '../test/testSupport.js';
import { leasedFetch } from './leasedFetch.js';

describeEachTarget('leasedFetch through a gateway with sticky sessions', (ctx) => {
  const fx = useHttpFixtures(ctx);
  let gateway: GatewayProxy | undefined;
  afterEach(async () => {
    await gateway?.close();
  });

  it('one session, one session id at the gateway; no session, a fresh one per request', async () => {
    gateway = await startGatewayProxy();
    const { manager, pool } = await fx.pool();
    const template = `http://customer-acme-session-{session}:pw@127.0.0.1:${gateway.port}`;
    await manager.addProxies(pool, [{ url: template, maxConcurrency: 4 }]);
    const url = `${fx.sites.http.origin}/ok`;

    const first = await leasedFetch(manager, url, { pool, session: true });
    expect(first.status).toBe(200);
    const sessionId = first.lease.session?.id as string;
    for (let i = 0; i < 2; i++) {
      const again = await leasedFetch(manager, url, { pool, session: { id: sessionId } });
      expect(again.status).toBe(200);
      expect(again.lease.proxy.gatewaySession).toBe(first.lease.proxy.gatewaySession);
    }
    const sticky = gateway.requests.map((r) => r.session);
    expect(new Set(sticky)).toEqual(new Set([first.lease.proxy.gatewaySession]));

    await leasedFetch(manager, url, { pool });
    await leasedFetch(manager, url, { pool });
    const rotating = gateway.requests.slice(sticky.length).map((r) => r.session);
    expect(rotating).toHaveLength(2);
    expect(new Set([...rotating, ...sticky]).size).toBe(3);
    // Every request went through the gateway's tunnels to the site.
    expect(fx.sites.http.hits('/ok')).toBe(5);
    // The template itself never reached the gateway.
    expect(gateway.requests.every((r) => !r.username.includes('{'))).toBe(true);
  });
});
