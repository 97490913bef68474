import { z } from 'zod';
import { boundedCount, boundedSeconds, LIMITS, wellFormedString } from '../bounds.js';

// Pool settings: what upsertPool takes, validated before anything is written.

export const SelectorStrategy = {
  FIRST_AVAILABLE: 'first-available',
  LEAST_USED: 'least-used',
  ROUND_ROBIN: 'round-robin',
  WEIGHTED_RANDOM: 'weighted-random',
  HEALTHIEST: 'healthiest',
  LOWEST_LATENCY: 'lowest-latency',
} as const;
export type SelectorStrategy = (typeof SelectorStrategy)[keyof typeof SelectorStrategy];
export const SELECTOR_STRATEGIES = Object.values(SelectorStrategy) as [
  SelectorStrategy,
  ...SelectorStrategy[],
];

/**
 * A pool name is a Redis hash tag, a URL path segment (`/pools/<pool>`) and a file name (CLI
 * exports), so `.` and `..`, which URLs and file systems read as directories, are refused.
 */
export const poolNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . -')
  .refine((name) => !/^\.+$/.test(name), 'must not be only dots');

/**
 * Active health checks (seed 002's health monitor, pharox's HealthChecker): the worker sends
 * GET `url` through each open-circuit or benched proxy, at most once per `intervalSeconds`
 * per proxy, giving up after `timeoutSeconds`. Opt-in: every probe is a request through the
 * provider (quota). `timeoutSeconds` may not exceed `intervalSeconds`: a probe still running
 * when the proxy's next one is due would be claimed twice.
 */
export const HealthCheckSchema = z
  .object({
    url: wellFormedString({ maxBytes: 2048 })
      .regex(/^https?:\/\/[^\s]+$/i, 'must be an http:// or https:// URL')
      .refine((u) => URL.canParse(u), 'must be a valid URL'),
    intervalSeconds: z.number().min(1).max(86_400).default(60),
    timeoutSeconds: z.number().min(0.1).max(120).default(10),
  })
  .strict()
  .refine((h) => h.timeoutSeconds <= h.intervalSeconds, {
    path: ['timeoutSeconds'],
    message:
      'must be at most intervalSeconds (a probe must end before the next one is due; default 10 of 60)',
  });
export type HealthCheckSettings = z.output<typeof HealthCheckSchema>;

/** Seconds from 0 (off) to 30 days, fractions allowed; null also turns it off. */
const optionalSeconds = z
  .number()
  .finite()
  .min(0, 'must be at least 0')
  .max(LIMITS.maxSeconds, `must be at most ${LIMITS.maxSeconds} (30 days)`)
  .nullable()
  .optional();

export const PoolSettingsSchema = z
  .object({
    name: poolNameSchema,
    selector: z.enum(SELECTOR_STRATEGIES).default('round-robin'),
    leaseSeconds: boundedSeconds.default(300),
    failureThreshold: boundedCount(1).default(3),
    cooldown: z
      .object({
        baseSeconds: boundedSeconds.default(60),
        maxSeconds: boundedSeconds.default(1920),
        jitter: z.boolean().default(false),
      })
      .strict()
      .default({ baseSeconds: 60, maxSeconds: 1920, jitter: false }),
    /**
     * Circuit openings in a row after which a proxy is disabled for good. Off when absent;
     * 0 or null turns it off (upsertPool keeps what a pool has unless given).
     */
    disableAfterOpens: boundedCount(0).nullable().optional(),
    /** Live sessions a pool may hold (proxy+session pairs). */
    maxSessions: boundedCount(1).default(1000),
    session: z
      .object({
        maxUsageCount: boundedCount(1).default(50),
        maxAgeSeconds: boundedSeconds.default(3000),
      })
      .strict()
      .default({ maxUsageCount: 50, maxAgeSeconds: 3000 }),
    /** Leases of one proxy under one scope at once. No cap when absent; 0 or null clears it. */
    scopeMaxConcurrency: boundedCount(0).nullable().optional(),
    /**
     * Keep exact indexes for the healthiest and lowest-latency selectors (~260 B per proxy).
     * Off: those selectors take the best of a random sample (exact for small pools).
     */
    healthIndexes: z.boolean().default(false),
    /** Entries kept in the pool's Redis error-log stream (approximate cap). */
    errorLogMaxLength: z.int().min(100).max(1_000_000).default(10_000),
    /**
     * Bench a proxy whose health score after a failure is below this (0..1); 0 = off. It
     * rests for the cooldown, then one probe lease (or an active health check) decides.
     */
    minHealthScore: z.number().min(0).max(1).default(0),
    /** Active health checks (opt-in); null clears them. */
    healthCheck: HealthCheckSchema.nullable().optional(),
    /**
     * A proxy is not leased again until this long after its previous lease was taken,
     * whatever its cap (seed 001's round-robin with cooldown). Off when absent; 0 or null
     * turns it off.
     */
    reuseDelaySeconds: optionalSeconds,
    /** The same per scope: a lease under a scope delays the proxy for that scope only. */
    scopeReuseDelaySeconds: optionalSeconds,
    /** Cap of proxies without a maxConcurrency of their own. None when absent; 0 or null clears it. */
    defaultMaxConcurrency: boundedCount(0).nullable().optional(),
  })
  .strict()
  .refine((p) => p.cooldown.maxSeconds >= p.cooldown.baseSeconds, {
    path: ['cooldown', 'maxSeconds'],
    message: 'must be at least cooldown.baseSeconds',
  });
export type PoolSettingsInput = z.input<typeof PoolSettingsSchema>;
export type PoolSettings = z.output<typeof PoolSettingsSchema>;
