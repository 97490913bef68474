// Helpers shared by @leasehold/http's test files (not part of the published package).
import { ProxyManager } from '@leasehold/client';
import {
  type LoopbackProxy,
  startHttpProxy,
  startSocksProxy,
  startTargetSite,
  type TargetContext,
  type TargetSite,
} from '@leasehold/testing';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { closeSharedDispatchers } from '../src/dispatcher.js';

export const USER = 'scraper-7';
// Characters that must survive percent-encoding in URLs and base64 in Basic auth.
export const PASSWORD = 'p@ss:w/rd%42';

export interface HttpFixture {
  manager: ProxyManager;
  pool: string;
  prefix: string;
}

/**
 * Per suite: a target site, an https one, and per test a fresh pool. After every test each
 * pool used has no live lease: whatever the path, leasedFetch released its leases.
 */
export function useHttpFixtures(ctx: TargetContext) {
  const started: { close(): Promise<void> }[] = [];
  const pools: HttpFixture[] = [];
  const sites = {} as { http: TargetSite; https: TargetSite };

  beforeAll(async () => {
    sites.http = await startTargetSite();
    sites.https = await startTargetSite({ tls: true });
  });
  afterEach(async () => {
    for (const { manager, pool } of pools.splice(0)) {
      expect((await manager.getPoolStats(pool)).totalLeases, `live leases in ${pool}`).toBe(0);
    }
    await closeSharedDispatchers();
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await sites.http?.close();
    await sites.https?.close();
  });

  return {
    sites,
    async pool(settings: Record<string, unknown> = {}): Promise<HttpFixture> {
      const prefix = ctx.uniquePrefix();
      const manager = new ProxyManager({ redis: ctx.redis(), prefix });
      const pool = 'scrape';
      await manager.upsertPool({ name: pool, ...settings });
      const fixture = { manager, pool, prefix };
      pools.push(fixture);
      return fixture;
    },
    async httpProxy(auth = true): Promise<LoopbackProxy> {
      const proxy = await startHttpProxy(auth ? { username: USER, password: PASSWORD } : {});
      started.push(proxy);
      return proxy;
    },
    async socksProxy(auth = true): Promise<LoopbackProxy> {
      const proxy = await startSocksProxy(auth ? { username: USER, password: PASSWORD } : {});
      started.push(proxy);
      return proxy;
    },
  };
}

/** Requests plus tunnels: what a proxy served, whichever way the client used it. */
export function served(proxy: LoopbackProxy): number {
  return proxy.requests + proxy.tunnels;
}
