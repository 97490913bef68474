import { z } from 'zod';
import { boundedCount, boundedSeconds, LIMITS, wellFormedString } from '../bounds.js';
import { ProxyFiltersSchema } from './filters.js';
import { poolNameSchema, SELECTOR_STRATEGIES } from './poolSettings.js';

// What acquire, its retrying form and extendLease take.

export const consumerSchema = wellFormedString()
  .min(1)
  .max(128)
  .regex(/^[^\n\r]*$/, 'must be one line');

/** A scope is usually a domain: blocks and rate limits under it rest a proxy for it alone. */
export const scopeSchema = wellFormedString()
  .min(1)
  .max(253)
  .regex(/^[^\s{}|]+$/, 'must have no spaces, braces or |');

export const sessionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1-128 characters of letters, digits, _ . -');

export const AcquireOptionsSchema = z
  .object({
    pool: poolNameSchema,
    consumer: consumerSchema.default('default'),
    durationSeconds: boundedSeconds.optional(),
    selector: z.enum(SELECTOR_STRATEGIES).optional(),
    filters: ProxyFiltersSchema.optional(),
    /** true: lease a usable session with its proxy (or start one); { id }: resume that one. */
    session: z.union([z.literal(true), z.object({ id: sessionIdSchema }).strict()]).optional(),
    scope: scopeSchema.optional(),
    /** Wait up to this long for capacity instead of returning null at once. */
    waitMs: z.number().finite().min(0).max(LIMITS.maxWaitMs).optional(),
    /** Ends a wait early: the acquire rejects with the signal's reason, holding no lease. */
    signal: z
      .custom<AbortSignal>((v) => v instanceof AbortSignal, 'must be an AbortSignal')
      .optional(),
  })
  .strict();
export type AcquireOptions = z.input<typeof AcquireOptionsSchema>;
export type ParsedAcquireOptions = z.output<typeof AcquireOptionsSchema>;

export const RetryOptionsSchema = z
  .object({
    maxAttempts: boundedCount(1, 1000).default(5),
    backoffSeconds: z.number().finite().min(0).max(3600).default(0.25),
    backoffMultiplier: z.number().finite().min(1).max(100).default(2),
    maxBackoffSeconds: z.number().finite().min(0).max(3600).default(2),
  })
  .strict();
export type RetryOptions = z.input<typeof RetryOptionsSchema>;

export const extendSecondsSchema = boundedSeconds;

/** A lease id as callers hand it back (the client makes them; any well-formed id is looked up). */
export const leaseIdSchema = wellFormedString().min(1).max(128);
