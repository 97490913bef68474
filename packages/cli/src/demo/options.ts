import { type RedisEndpoint, redisEndpointFromEnv, redisEndpointSchema } from '@leasehold/client';
import { z } from 'zod';
import type { ProxyBehaviour } from './proxies.js';

export interface DemoOptions {
  /** How long the scrapers run. Default 60. */
  seconds?: number;
  /** Scraper child processes. Default 4. */
  scrapers?: number;
  /** Where Redis is (a URL or an endpoint). Default: REDIS_URL / REDIS_CLUSTER_NODES, as the CLI reads them. */
  redis?: string | RedisEndpoint;
  /** Default $LEASEHOLD_PREFIX, else `lh`. */
  prefix?: string;
  /** The demo's pool, deleted and made again at start. Default `demo`. */
  pool?: string;
  /** The dashboard's port when @leasehold/dashboard is installed; 0 picks a free one. Default 9470. */
  dashboardPort?: number;
  /** Where the live lines and the summary go. Default console.log. */
  log?: (line: string) => void;
  /** Aborting it stops the demo early (the CLI aborts it on Ctrl-C). */
  stop?: AbortSignal;
}

export interface DemoProxySummary {
  name: string;
  id: string;
  /** Credentials masked. */
  url: string;
  behaviour: ProxyBehaviour['kind'];
  cap: number;
  /** Requests the proxy itself counted. */
  served: number;
  /** Its own peak of concurrent requests. */
  peak: number;
  capExceeded: boolean;
  circuitOpenings: number;
  rateLimitRests: number;
}

export interface DemoSummary {
  seconds: number;
  scrapers: number;
  /** Requests the scrapers completed (leased, fetched, released). */
  requests: number;
  successes: number;
  failuresByCategory: Record<string, number>;
  proxies: DemoProxySummary[];
  /** From the pool's error log: circuits opened, half-open probes that closed them, 429 rests. */
  circuitOpenings: number;
  circuitRecoveries: number;
  rateLimitRests: number;
  /** Proxies whose own peak concurrency went above their cap. */
  capViolations: number;
  dashboardUrl?: string;
  metricsUrl?: string;
  /** Stopped (Ctrl-C, SIGTERM, `stop`) before the end. */
  interrupted: boolean;
}

export const DemoOptionsSchema = z
  .object({
    seconds: z.int().min(1).max(86_400).default(60),
    scrapers: z.int().min(1).max(32).default(4),
    redis: redisEndpointSchema.default(() => redisEndpointFromEnv(process.env)),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . : -')
      .default(() => process.env.LEASEHOLD_PREFIX || 'lh'),
    pool: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . -')
      .default('demo'),
    dashboardPort: z.int().min(0).max(65_535).default(9470),
    log: z.custom<(line: string) => void>((v) => typeof v === 'function').optional(),
    stop: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
  })
  .strict();

export type ResolvedDemoOptions = z.output<typeof DemoOptionsSchema>;
