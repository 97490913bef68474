import { parseInput, ValidationError } from '@leasehold/core';
import {
  bindHostSchema,
  isLoopback,
  parseHostHeader,
  serverTokenSchema,
} from '@leasehold/core/internal';
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
  /**
   * LEASEHOLD_DASHBOARD_ALLOWED_HOSTS: names (or `name:port`) the dashboard answers to besides
   * 127.0.0.1, localhost, [::1] and the bind host, e.g. the name of a reverse proxy in front.
   * Any other `Host` header is refused (a DNS-rebinding page names its own host).
   */
  allowedHosts?: string[];
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

/** `name` or `name:port` (IPv6 in brackets), as a Host header carries it. */
const allowedHostSchema = z
  .string()
  .min(1)
  .max(260)
  .refine(
    (v) => parseHostHeader(v) !== undefined,
    'must be a host name or IP, optionally with :port (IPv6 in brackets)',
  );

const OptionsSchema = z
  .object({
    host: bindHostSchema.default('127.0.0.1'),
    port: z.int().min(0).max(65_535).default(9470),
    // Checked in full by ProxyManager, which the dashboard builds first.
    prefix: z.string().max(64).default('lh'),
    databaseUrl: z.string().min(1).max(4096).optional(),
    token: serverTokenSchema.optional(),
    allowedHosts: z.array(allowedHostSchema).max(64).default([]),
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

/**
 * Checks every option but `redis`, and throws the ValidationError a caller would get from
 * startDashboard: a CLI calls it before it opens any connection.
 */
export function validateDashboardOptions(
  options: Omit<DashboardOptions, 'redis'>,
): z.output<typeof OptionsSchema> {
  const parsed = parseInput(OptionsSchema, options);
  if (!isLoopback(parsed.host) && parsed.token === undefined)
    throw new DashboardTokenRequiredError(parsed.host);
  return parsed;
}

export function resolveOptions(options: DashboardOptions): ResolvedDashboardOptions {
  if (options === null || typeof options !== 'object' || options.redis === undefined)
    throw new ValidationError([
      { field: 'redis', message: 'an ioredis Redis or Cluster is required' },
    ]);
  const { redis, ...rest } = options;
  return { ...validateDashboardOptions(rest), redis };
}
