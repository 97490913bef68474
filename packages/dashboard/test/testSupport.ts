// Helpers shared by the dashboard's test files (not exported by the package).
import { type IncomingHttpHeaders, request } from 'node:http';
import { ProxyManager } from '@leasehold/client';
import type { TargetContext } from '@leasehold/testing';
import type { Cluster, Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { type Clock, systemClock } from '../src/clock.js';
import type { Dashboard, DashboardOptions } from '../src/options.js';
import { launchDashboard } from '../src/server.js';

export const PASSWORD = 'Pa55-w0rd-never-shown';
export const HOSTILE = '<script>window.pwned=1</script>';

/** A pool of `count` proxies with credentials and a hostile label, and its manager. */
export async function seedPool(ctx: TargetContext, pool = 'shop', count = 3) {
  const prefix = ctx.uniquePrefix();
  const manager = new ProxyManager({ redis: ctx.redis(), prefix });
  await manager.upsertPool({ name: pool, failureThreshold: 2 });
  const proxies = await manager.addProxies(
    pool,
    Array.from({ length: count }, (_, i) => ({
      url: `http://user${i}:${PASSWORD}@10.9.${Math.floor(i / 250)}.${(i % 250) + 1}:8080`,
      maxConcurrency: 2,
      labels: { country: 'AR', city: i === 0 ? HOSTILE : 'Rosario' },
    })),
  );
  return { prefix, manager, proxies, pool };
}

/** Dashboards started by a test, closed after it (port 0: a free one; `clock` for sessions). */
export function useDashboards(ctx: TargetContext) {
  const open: Dashboard[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.close()));
  });
  return async (
    options: Partial<DashboardOptions> & { clock?: Clock } = {},
  ): Promise<Dashboard> => {
    const { clock = systemClock, ...rest } = options;
    const dashboard = await launchDashboard({ port: 0, redis: ctx.redis(), ...rest }, clock);
    open.push(dashboard);
    return dashboard;
  };
}

/** The CSRF token embedded in a page's action forms. */
export function csrfFrom(pageHtml: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(pageHtml)?.[1];
  if (token === undefined) throw new Error('no CSRF token in the page');
  return token;
}

export function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

/**
 * Counts the commands a real client sends, by name (pipelined ones included): how a test
 * sees how much Redis work one page costs, whatever else runs on the same server.
 */
export function countCommands(client: { sendCommand: (...args: never[]) => unknown }) {
  const counts = new Map<string, number>();
  const send = client.sendCommand.bind(client) as (...args: unknown[]) => unknown;
  Object.assign(client, {
    sendCommand: (command: { name: string }, ...rest: unknown[]) => {
      counts.set(command.name, (counts.get(command.name) ?? 0) + 1);
      return send(command, ...rest);
    },
  });
  return {
    /** Commands named `name` since the last call, and start counting again. */
    take(name: string): number {
      const n = counts.get(name) ?? 0;
      counts.clear();
      return n;
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request with any Host header (fetch won't send one of its own choosing). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A second connection like `client` (ioredis 6's union of duplicate() signatures has none). */
export function duplicateOf(client: Redis | Cluster): Redis | Cluster {
  return client.isCluster ? (client as Cluster).duplicate() : (client as Redis).duplicate();
}
