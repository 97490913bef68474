import { z } from 'zod';
import { LIMITS, wellFormedString } from '../bounds.js';
import { MAX_OUTCOME_MESSAGE_LENGTH, redactCredentials } from '../redaction.js';
import { sessionIdSchema } from './acquire.js';

// What a lease's requests came to (release, recordResult), error-log queries, and the
// reasons operators give for transitions.

export const ERROR_CATEGORIES = [
  'network',
  'timeout',
  'auth',
  'blocked',
  'rate_limit',
  'server',
  'unknown',
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

const latencyMs = z.number().finite().min(0).max(3_600_000);
/** Opaque session blob (cookies); capped in bytes so one bad caller cannot bloat Redis. */
const sessionData = wellFormedString({ maxBytes: LIMITS.maxSessionDataBytes });

/**
 * What a request through a lease came to. An empty `{}` says nothing and is refused (naming
 * `outcome.ok`) by release and recordResult alike; a release without an outcome is the way
 * to say nothing.
 */
export const OutcomeSchema = z.discriminatedUnion(
  'ok',
  [
    z
      .object({
        ok: z.literal(true),
        latencyMs: latencyMs.optional(),
        sessionData: sessionData.optional(),
      })
      .strict(),
    z
      .object({
        ok: z.literal(false),
        error: z.enum(ERROR_CATEGORIES),
        // Any three-digit code: sites answer with non-standard ones (LinkedIn's 999).
        statusCode: z.int().min(100).max(999).optional(),
        retryAfterMs: z.number().finite().min(0).max(LIMITS.maxRetryAfterMs).optional(),
        message: wellFormedString().max(MAX_OUTCOME_MESSAGE_LENGTH).optional(),
        latencyMs: latencyMs.optional(),
        sessionData: sessionData.optional(),
      })
      .strict(),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'must be true (a success) or false (a failure, with its error category)'
        : undefined,
  },
);
export type Outcome = z.input<typeof OutcomeSchema>;

export const ErrorLogQuerySchema = z
  .object({
    proxyId: z
      .string()
      .regex(/^[0-9a-f]{16}$/, 'must be a 16-digit hex proxy id')
      .optional(),
    sessionId: sessionIdSchema.optional(),
    limit: z.int().min(1).max(10_000).default(100),
  })
  .strict();
export type ErrorLogQuery = z.input<typeof ErrorLogQuerySchema>;

/** Why a person or tool changed a proxy's or session's status; it lands in the error log. */
export const transitionReasonSchema = wellFormedString()
  .min(1)
  .max(200)
  .regex(/^[^\n\r]*$/, 'must be one line')
  // Reasons end up in the error log: credentials pasted into one are masked.
  .transform((reason) => redactCredentials(reason));
