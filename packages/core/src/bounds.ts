import { z } from 'zod';

/**
 * Limits every public input is held to, and the zod building blocks that enforce them.
 * A value past these is a ValidationError before anything is written: Redis and Lua would
 * otherwise fail half way (PEXPIRE overflow, a Lua JSON error on a lone surrogate) or
 * silently grow memory nobody can see.
 */
export const LIMITS = {
  /** Durations, lease seconds, cooldowns, session ages: 30 days. */
  maxSeconds: 30 * 24 * 3600,
  /** Retry-After a release may carry (classifyOutcome clamps into it): 1 day. */
  maxRetryAfterMs: 86_400_000,
  /** A blocking acquire waits at most this long. */
  maxWaitMs: 3_600_000,
  /** Whole-number settings (thresholds, caps, usage counts). */
  maxCount: 1_000_000,
  /** Proxy URL, in UTF-8 bytes. */
  maxProxyUrlBytes: 2048,
  /** Outcome `sessionData`, in UTF-8 bytes. */
  maxSessionDataBytes: 64 * 1024,
  /** Proxy ids in `filters.exclude`. */
  maxExclude: 1000,
  /** Tags on a proxy or in one filter clause. */
  maxTags: 64,
  /** Clauses in one `allOf` / `anyOf` / `noneOf`. */
  maxClauses: 32,
  /** Labels on a proxy or in one filter clause. */
  maxLabels: 32,
  /** Nesting of filter clauses: `anyOf[0].allOf[0].noneOf[0].anyOf[0]` is 4 levels. */
  maxFilterDepth: 4,
  /** Clauses in one whole filter tree, every level counted. */
  maxFilterClauses: 64,
  /** `near.radiusKm`: half the Earth's circumference. */
  maxRadiusKm: 20_000,
} as const;

// Node 20 has String.prototype.isWellFormed; the ES2023 lib typings do not know it yet.
const nativeIsWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` has no unpaired UTF-16 surrogate (it has a UTF-8 encoding). */
export function isWellFormed(text: string): boolean {
  return nativeIsWellFormed ? nativeIsWellFormed.call(text) : !LONE_SURROGATE.test(text);
}

/** Size of `text` in UTF-8 bytes: what Redis stores, not what `length` counts. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export const WELL_FORMED_MESSAGE = 'must be well-formed Unicode (no unpaired surrogate)';

/**
 * A string that Redis, Lua and JSON can carry: no unpaired surrogate, and at most
 * `maxBytes` UTF-8 bytes when given. Every free-text input is built from this one helper,
 * so no string reaches a script that could fail it half way.
 */
export function wellFormedString(options: { maxBytes?: number } = {}) {
  const { maxBytes } = options;
  const wellFormed = z.string().refine(isWellFormed, WELL_FORMED_MESSAGE);
  return maxBytes === undefined
    ? wellFormed
    : wellFormed.refine((s) => utf8Bytes(s) <= maxBytes, {
        message: `must be at most ${maxBytes} bytes (UTF-8)`,
      });
}

/** Seconds > 0 (fractions allowed) and at most 30 days; stored as whole ms (at least 1). */
export const boundedSeconds = z
  .number()
  .finite()
  .positive('must be greater than 0')
  .max(LIMITS.maxSeconds, `must be at most ${LIMITS.maxSeconds} (30 days)`);

/** A whole number from `min` to LIMITS.maxCount (or `max`). */
export function boundedCount(min: number, max: number = LIMITS.maxCount) {
  return z
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}
