import { z } from 'zod';
import { boundedCount, boundedSeconds, LIMITS, wellFormedString } from './bounds.js';
import { ValidationError } from './errors.js';
import { redactCredentials } from './redaction.js';

/**
 * Zod schemas for every public input, and the types inferred from them. Parsing at the
 * boundary means a bad batch is rejected before anything is written.
 */

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
 * The common label names. Any name matching LABEL_NAME_PATTERN works (except the filter
 * words); these six are read without a lookup when a lease is built.
 */
export const LABEL_NAMES = ['country', 'city', 'region', 'source', 'isp', 'asn'] as const;
export type LabelName = (typeof LABEL_NAMES)[number];

/** A label name: no ':' ever, which keeps `label:<name>:<value>` keys unambiguous. */
export const LABEL_NAME_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/** Keys of a filter that are not label names. */
export const FILTER_WORDS = ['tags', 'allOf', 'anyOf', 'noneOf', 'exclude', 'near'] as const;

const labelNameMessage = 'must match ^[a-z][a-z0-9_]{0,31}$ and not be a filter word';

/** True when `name` can be a label's name. */
export function isLabelName(name: string): boolean {
  return LABEL_NAME_PATTERN.test(name) && !(FILTER_WORDS as readonly string[]).includes(name);
}

/** Redis GEO's ranges (EPSG:3857 stops short of the poles). */
export const GEO_BOUNDS = { maxLatitude: 85.05112878, maxLongitude: 180 } as const;
const latitude = z.number().finite().min(-GEO_BOUNDS.maxLatitude).max(GEO_BOUNDS.maxLatitude);
const longitude = z.number().finite().min(-GEO_BOUNDS.maxLongitude).max(GEO_BOUNDS.maxLongitude);

/** Where a proxy exits, for `near` filters. */
export const ProxyLocationSchema = z.object({ latitude, longitude }).strict();
export type ProxyLocation = z.output<typeof ProxyLocationSchema>;

/** Proxies whose location lies within `radiusKm` (great-circle, as Redis GEO measures it). */
export const NearFilterSchema = z
  .object({ latitude, longitude, radiusKm: z.number().finite().gt(0).max(LIMITS.maxRadiusKm) })
  .strict();
export type NearFilter = z.output<typeof NearFilterSchema>;

/**
 * A pool name is a Redis hash tag, a URL path segment (`/pools/<pool>`) and a file name (CLI
 * exports), so `.` and `..`, which URLs and file systems read as directories, are refused.
 */
const poolName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . -')
  .refine((name) => !/^\.+$/.test(name), 'must not be only dots');

const labelValue = z.union([z.string(), z.number().transform(String)]).pipe(
  wellFormedString()
    .min(1, 'must not be empty')
    .max(128)
    .regex(/^[^\n\r]*$/, 'must be one line'),
);

const tag = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . -');

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
    name: poolName,
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

/**
 * zod skips an own `__proto__` key of a record or a catch-all object (JSON.parse makes one
 * from `{"__proto__": …}`) instead of handing it to the key checks, so a filter would match
 * everything. Checked on the raw input, before zod drops it, as the bad label name it is.
 */
function withoutProtoKey<S extends z.ZodType>(schema: S): z.ZodType<z.output<S>, z.input<S>> {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__'))
        ctx.addIssue({ code: 'custom', path: ['__proto__'], message: labelNameMessage });
    })
    .pipe(schema) as unknown as z.ZodType<z.output<S>, z.input<S>>;
}

export const ProxyLabelsSchema = withoutProtoKey(
  z
    .record(z.string().refine(isLabelName, labelNameMessage), labelValue)
    .refine((labels) => Object.keys(labels).length <= LIMITS.maxLabels, {
      message: `must have at most ${LIMITS.maxLabels} labels`,
    }),
);
/** Label name -> value; `country`, `city`, `region`, `source`, `isp`, `asn` are common ones. */
export type ProxyLabels = Record<string, string>;

export const ProxyInputSchema = z
  .object({
    url: wellFormedString({ maxBytes: LIMITS.maxProxyUrlBytes }),
    maxConcurrency: boundedCount(1).optional(),
    labels: ProxyLabelsSchema.default({}),
    tags: z.array(tag).max(LIMITS.maxTags).default([]),
    location: ProxyLocationSchema.optional(),
  })
  .strict();
export type ProxyInput = z.input<typeof ProxyInputSchema>;

const filterTags = z.array(tag).max(LIMITS.maxTags).optional();

/**
 * A filter clause: label equalities by name, `tags` (all present), `near`, and nested
 * `allOf` / `anyOf` / `noneOf` clauses (pharox's trees), to LIMITS.maxFilterDepth levels.
 */
export interface FilterClause {
  tags?: string[];
  allOf?: FilterClause[];
  anyOf?: FilterClause[];
  noneOf?: FilterClause[];
  near?: NearFilter;
  [label: string]: string | number | string[] | FilterClause[] | NearFilter | undefined;
}

const clauseList = () =>
  z.array(z.lazy((): z.ZodType<FilterClause> => FilterClauseSchema)).max(LIMITS.maxClauses);

const clauseShape = {
  tags: filterTags,
  allOf: clauseList().optional(),
  anyOf: clauseList().min(1, 'must have at least one clause').optional(),
  noneOf: clauseList().optional(),
  near: NearFilterSchema.optional(),
};

/** Every key that is not a filter word is a label: its name and value are checked here. */
function checkLabels(clause: Record<string, unknown>, ctx: z.RefinementCtx, topLevel: boolean) {
  let labels = 0;
  for (const [key, value] of Object.entries(clause)) {
    if (Object.hasOwn(clauseShape, key) || (topLevel && key === 'exclude')) continue;
    if (!isLabelName(key)) {
      const message =
        key === 'exclude' ? 'is only allowed at the top level of filters' : labelNameMessage;
      ctx.addIssue({ code: 'custom', path: [key], message });
      continue;
    }
    labels += 1;
    const parsed = labelValue.safeParse(value);
    for (const issue of parsed.error?.issues ?? [])
      ctx.addIssue({ code: 'custom', path: [key, ...issue.path], message: issue.message });
  }
  if (labels > LIMITS.maxLabels)
    ctx.addIssue({ code: 'custom', path: [], message: `at most ${LIMITS.maxLabels} labels` });
}

const hasCondition = (clause: Record<string, unknown>) =>
  Object.values(clause).some((v) => v !== undefined && (!Array.isArray(v) || v.length > 0));

export const FilterClauseSchema: z.ZodType<FilterClause> = withoutProtoKey(
  z
    .object(clauseShape)
    .catchall(z.unknown())
    .superRefine((clause, ctx) => {
      checkLabels(clause, ctx, false);
      if (!hasCondition(clause))
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: 'a clause needs at least one condition',
        });
    }),
) as z.ZodType<FilterClause>;

/**
 * Depth and size of a filter tree, checked before the tree is parsed (so a deep input never
 * recurses far): the issue names the first clause past a bound, e.g.
 * `anyOf[1].allOf[0].noneOf[0].anyOf[0].allOf[0]`.
 */
function checkTreeBounds(input: unknown, ctx: z.RefinementCtx): void {
  let clauses = 0;
  const walk = (node: unknown, depth: number, path: (string | number)[]): boolean => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return true;
    for (const word of ['allOf', 'anyOf', 'noneOf'] as const) {
      const list = (node as Record<string, unknown>)[word];
      if (!Array.isArray(list)) continue;
      for (let i = 0; i < list.length; i++) {
        const at = [...path, word, i];
        if (depth + 1 > LIMITS.maxFilterDepth) {
          const message = `nests deeper than ${LIMITS.maxFilterDepth} levels`;
          ctx.addIssue({ code: 'custom', path: at, message });
          return false;
        }
        clauses += 1;
        if (clauses > LIMITS.maxFilterClauses) {
          const message = `the filter has more than ${LIMITS.maxFilterClauses} clauses`;
          ctx.addIssue({ code: 'custom', path: at, message });
          return false;
        }
        if (!walk(list[i], depth + 1, at)) return false;
      }
    }
    return true;
  };
  walk(input, 0, []);
}

/** A whole filter: a clause (which may be empty) plus `exclude`, a list of proxy ids. */
export type ProxyFilters = FilterClause & { exclude?: string[] };

export const ProxyFiltersSchema: z.ZodType<ProxyFilters> = z
  .unknown()
  .superRefine(checkTreeBounds)
  .pipe(
    withoutProtoKey(
      z
        .object({
          ...clauseShape,
          exclude: z
            .array(z.string().regex(/^[0-9a-f]{16}$/, 'must be proxy ids'))
            .max(LIMITS.maxExclude)
            .optional(),
        })
        .catchall(z.unknown())
        .superRefine((filters, ctx) => checkLabels(filters, ctx, true)),
    ),
  ) as z.ZodType<ProxyFilters>;

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
    pool: poolName,
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
        message: wellFormedString().max(1000).optional(),
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

export const RetryOptionsSchema = z
  .object({
    maxAttempts: boundedCount(1, 1000).default(5),
    backoffSeconds: z.number().finite().min(0).max(3600).default(0.25),
    backoffMultiplier: z.number().finite().min(1).max(100).default(2),
    maxBackoffSeconds: z.number().finite().min(0).max(3600).default(2),
  })
  .strict();
export type RetryOptions = z.input<typeof RetryOptionsSchema>;

export const ListProxiesOptionsSchema = z
  .object({
    offset: z.int().min(0).max(1_000_000_000).default(0),
    limit: z.int().min(1).max(10_000).default(1000),
    includeCredentials: z.boolean().default(false),
  })
  .strict();
export type ListProxiesOptions = z.input<typeof ListProxiesOptionsSchema>;

export const poolNameSchema = poolName;
export const proxyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be a 16-digit hex proxy id');
export const extendSecondsSchema = boundedSeconds;

/** A lease id as callers hand it back (the client makes them; any well-formed id is looked up). */
export const leaseIdSchema = wellFormedString().min(1).max(128);

/** Why a person or tool changed a proxy's or session's status; it lands in the error log. */
export const transitionReasonSchema = wellFormedString()
  .min(1)
  .max(200)
  .regex(/^[^\n\r]*$/, 'must be one line')
  // Reasons end up in the error log: credentials pasted into one are masked.
  .transform((reason) => redactCredentials(reason));

/** Parse with a schema; turn zod issues into one ValidationError naming each field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  root?: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.flatMap((issue) =>
      // An unknown key is named itself (`options.bogus`), not the object that holds it.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            field: formatPath(root, [...issue.path, key]),
            message: 'unknown key (a typo?)',
          }))
        : [{ field: formatPath(root, issue.path), message: issue.message }],
    ),
  );
}

/** `proxies[3].url` from a root name and a zod issue path. */
function formatPath(root: string | undefined, path: readonly PropertyKey[]): string {
  let out = root ?? '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out || '(input)';
}

/** Seconds (fractions allowed) to whole milliseconds, at least 1. */
export function secondsToMs(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}
