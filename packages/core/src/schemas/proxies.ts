import { z } from 'zod';
import { boundedCount, LIMITS, wellFormedString } from '../bounds.js';

// Proxies as addProxies takes them (URL, caps, labels, tags, location) and as listings page them.

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

export const labelNameMessage = 'must match ^[a-z][a-z0-9_]{0,31}$ and not be a filter word';

/** True when `name` can be a label's name. */
export function isLabelName(name: string): boolean {
  return LABEL_NAME_PATTERN.test(name) && !(FILTER_WORDS as readonly string[]).includes(name);
}

/** Redis GEO's ranges (EPSG:3857 stops short of the poles). */
export const GEO_BOUNDS = { maxLatitude: 85.05112878, maxLongitude: 180 } as const;
export const latitude = z
  .number()
  .finite()
  .min(-GEO_BOUNDS.maxLatitude)
  .max(GEO_BOUNDS.maxLatitude);
export const longitude = z
  .number()
  .finite()
  .min(-GEO_BOUNDS.maxLongitude)
  .max(GEO_BOUNDS.maxLongitude);

/** Where a proxy exits, for `near` filters. */
export const ProxyLocationSchema = z.object({ latitude, longitude }).strict();
export type ProxyLocation = z.output<typeof ProxyLocationSchema>;

export const labelValue = z.union([z.string(), z.number().transform(String)]).pipe(
  wellFormedString()
    .min(1, 'must not be empty')
    .max(128)
    .regex(/^[^\n\r]*$/, 'must be one line'),
);

export const tag = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . -');

/**
 * zod skips an own `__proto__` key of a record or a catch-all object (JSON.parse makes one
 * from `{"__proto__": …}`) instead of handing it to the key checks, so a filter would match
 * everything. Checked on the raw input, before zod drops it, as the bad label name it is.
 */
export function withoutProtoKey<S extends z.ZodType>(
  schema: S,
): z.ZodType<z.output<S>, z.input<S>> {
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

export const ListProxiesOptionsSchema = z
  .object({
    offset: z.int().min(0).max(1_000_000_000).default(0),
    limit: z.int().min(1).max(10_000).default(1000),
    includeCredentials: z.boolean().default(false),
  })
  .strict();
export type ListProxiesOptions = z.input<typeof ListProxiesOptionsSchema>;

export const proxyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be a 16-digit hex proxy id');
