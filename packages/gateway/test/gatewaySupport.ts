// Helpers shared by @leasehold/gateway's test files (not part of the published package):
// a pool per test with upstream proxies that count what they served, gateways closed after
// each test, and the check that no lease outlives its request or tunnel.
import { execFile } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { ProxyManager } from '@leasehold/client';
import {
  type ForwardProxy,
  type ForwardProxyOptions,
  startForwardProxy,
} from '@leasehold/forward-proxy';
import { startTargetSite, type TargetContext, type TargetSite } from '@leasehold/testing';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type Gateway, type GatewayOptions, startGateway } from '../src/index.js';

export const TOKEN = 'gw-token-0123456789abcdef';
export const UPSTREAM_AUTH = { username: 'up-user', password: 'up-s3cret:%pw' };

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** A plain request through the gateway, as any HTTP client sends one to a proxy. */
export function viaGateway(
  gateway: Gateway,
  target: string,
  authorization?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: gateway.port,
        path: target,
        headers: {
          ...headers,
          ...(authorization === undefined ? {} : { 'proxy-authorization': authorization }),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A CONNECT to the gateway: its answer, and the tunnel's socket when it opened. */
export function connectVia(
  gateway: Gateway,
  authority: string,
  authorization?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port: gateway.port,
      method: 'CONNECT',
      path: authority,
      headers: authorization === undefined ? {} : { 'proxy-authorization': authorization },
      agent: false,
    });
    req.on('connect', (res, socket) =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, socket }),
    );
    req.on('error', reject);
    req.end();
  });
}

const run = promisify(execFile);

/** curl through the gateway: `-i` output (the CONNECT answer's head included for https). */
export async function curl(gateway: Gateway, url: string, extra: string[] = []): Promise<string> {
  const proxy = `http://${encodeURIComponent('pool=scrape')}:${TOKEN}@127.0.0.1:${gateway.port}`;
  const { stdout } = await run('/usr/bin/curl', [
    '-s',
    '-i',
    '--max-time',
    '20',
    '-x',
    proxy,
    ...extra,
    url,
  ]);
  return stdout;
}

export function useGatewayFixtures(ctx: TargetContext) {
  const gateways: Gateway[] = [];
  const upstreams: ForwardProxy[] = [];
  const checks: { manager: ProxyManager; pool: string }[] = [];
  const sites = {} as { http: TargetSite; https: TargetSite };

  beforeAll(async () => {
    sites.http = await startTargetSite();
    sites.https = await startTargetSite({ tls: true });
  });
  afterEach(async () => {
    // Gateways first (they release, their tunnels end), then the upstreams, then the check
    // that nothing is still leased.
    await Promise.all(gateways.splice(0).map((g) => g.close()));
    await Promise.all(upstreams.splice(0).map((u) => u.close()));
    for (const { manager, pool } of checks.splice(0)) {
      expect((await manager.getPoolStats(pool)).totalLeases, `live leases in ${pool}`).toBe(0);
      await manager.close();
    }
  });
  afterAll(async () => {
    await sites.http?.close();
    await sites.https?.close();
  });

  return {
    sites,
    /** A fresh prefix with pool `scrape`, a manager on it, and one gateway (token set). */
    async setup(
      specs: {
        options?: ForwardProxyOptions;
        maxConcurrency?: number;
        /** Lease it with these credentials instead of those it requires. */
        credentials?: { username: string; password: string };
      }[],
      gatewayOptions: Partial<GatewayOptions> = {},
      poolSettings: Record<string, unknown> = {},
    ) {
      const prefix = ctx.uniquePrefix();
      const manager = new ProxyManager({ redis: ctx.redis(), prefix });
      const pool = 'scrape';
      await manager.upsertPool({ name: pool, selector: 'round-robin', ...poolSettings });
      checks.push({ manager, pool });
      const proxies: ForwardProxy[] = [];
      for (const { options, maxConcurrency, credentials } of specs) {
        const proxy = await startForwardProxy({ auth: UPSTREAM_AUTH, ...options });
        proxies.push(proxy);
        upstreams.push(proxy);
        const url = new URL(proxy.url);
        if (credentials) {
          url.username = encodeURIComponent(credentials.username);
          url.password = encodeURIComponent(credentials.password);
        }
        await manager.addProxies(pool, [
          { url: url.href, ...(maxConcurrency ? { maxConcurrency } : {}) },
        ]);
      }
      const records = await manager.listProxies(pool);
      /** The pool's id of an upstream (or of the upstream at that index). */
      const byPort = (p: ForwardProxy | number) => {
        const port = typeof p === 'number' ? proxies[p]?.port : p.port;
        return records.find((r) => r.port === port)?.id ?? '';
      };
      const gateway = await startGateway({
        redis: ctx.redis(),
        prefix,
        pool,
        port: 0,
        token: TOKEN,
        ...gatewayOptions,
      });
      gateways.push(gateway);
      return { manager, pool, prefix, proxies, gateway, idOf: byPort };
    },
  };
}
