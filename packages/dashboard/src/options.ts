import { parseInput, ValidationError } from '@leasehold/core';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';

export interface DashboardOptions {
  /** Interface to bind. Default 127.0.0.1; anything beyond loopback needs `token`. */
  host?: string;
  /** Default 9470; 0 picks a free port. */
  port?: number;
  /** The caller's connection (left open on close). */
  redis: Redis | Cluster;
  /** Leasehold key prefix. Default `lh`. */
  prefix?: string;
  /** PostgreSQL with the worker's error-log history (older entries on the errors page). */
  databaseUrl?: string;
  /** LEASEHOLD_DASHBOARD_TOKEN: every request must carry it (Bearer header or login cookie). */
  token?: string;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

const OptionsSchema = z
  .object({
    host: z.string().min(1).max(255).default('127.0.0.1'),
    port: z.int().min(0).max(65_535).default(9470),
    // Checked in full by ProxyManager, which the dashboard builds first.
    prefix: z.string().max(64).default('lh'),
    databaseUrl: z.string().min(1).max(4096).optional(),
    token: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
  })
  .strict();

export type ResolvedDashboardOptions = z.output<typeof OptionsSchema> & {
  redis: Redis | Cluster;
};

/** A bind beyond loopback without a token: anyone on the network could disable proxies. */
export class DashboardTokenRequiredError extends ValidationError {
  constructor(host: string) {
    super(
      [{ field: 'token', message: `is required to serve the dashboard on ${host} (not loopback)` }],
      'Set LEASEHOLD_DASHBOARD_TOKEN (16+ characters), or bind to 127.0.0.1',
    );
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function resolveOptions(options: DashboardOptions): ResolvedDashboardOptions {
  if (options === null || typeof options !== 'object' || options.redis === undefined)
    throw new ValidationError([
      { field: 'redis', message: 'an ioredis Redis or Cluster is required' },
    ]);
  const { redis, ...rest } = options;
  const parsed = parseInput(OptionsSchema, rest, 'options');
  if (!isLoopback(parsed.host) && parsed.token === undefined)
    throw new DashboardTokenRequiredError(parsed.host);
  return { ...parsed, redis };
}
