import {
  type HealthCheckSettings,
  type PoolSettings,
  type PoolSettingsInput,
  PoolSettingsSchema,
  parseInput,
  type SelectorStrategy,
} from '@leasehold/core';
import { secondsToMs } from '@leasehold/core/internal';
import { z } from 'zod';

/**
 * Pool settings as the pool hash stores them: which hash field holds which setting, and how
 * a value is written and read back. upsertPool writes given settings and defaults with it,
 * getPool and upsertPool read the merged settings back with it.
 */
interface SettingField {
  /** Where the setting sits in PoolSettings (nested for cooldown.* and session.*). */
  path: readonly [string] | readonly [string, string];
  field: string;
  toHash: (value: never) => string | number;
  fromHash: (stored: string) => unknown;
}

const seconds = {
  toHash: (v: number) => secondsToMs(v),
  fromHash: (s: string) => Number(s) / 1000,
};
const count = { toHash: (v: number) => v, fromHash: Number };
const flag = { toHash: (v: boolean) => (v ? 1 : 0), fromHash: (s: string) => s === '1' };
// 0 is "off" in the hash; null or 0 from the caller clears the limit.
const optionalLimit = {
  toHash: (v: number | null) => v ?? 0,
  fromHash: (s: string) => (Number(s) > 0 ? Number(s) : undefined),
};
const optionalSeconds = {
  toHash: (v: number | null) => (v ? secondsToMs(v) : 0),
  fromHash: (s: string) => (Number(s) > 0 ? Number(s) / 1000 : undefined),
};

const SETTING_FIELDS: readonly SettingField[] = [
  { path: ['selector'], field: 'selector', toHash: (v: string) => v, fromHash: (s) => s },
  { path: ['leaseSeconds'], field: 'leaseMs', ...seconds },
  { path: ['failureThreshold'], field: 'failureThreshold', ...count },
  { path: ['cooldown', 'baseSeconds'], field: 'cooldownBaseMs', ...seconds },
  { path: ['cooldown', 'maxSeconds'], field: 'cooldownMaxMs', ...seconds },
  { path: ['cooldown', 'jitter'], field: 'cooldownJitter', ...flag },
  { path: ['disableAfterOpens'], field: 'disableAfterOpens', ...optionalLimit },
  { path: ['maxSessions'], field: 'maxSessions', ...count },
  { path: ['session', 'maxUsageCount'], field: 'sessionMaxUsage', ...count },
  { path: ['session', 'maxAgeSeconds'], field: 'sessionMaxAgeMs', ...seconds },
  { path: ['scopeMaxConcurrency'], field: 'scopeMaxConcurrency', ...optionalLimit },
  { path: ['errorLogMaxLength'], field: 'errorLogMaxLength', ...count },
  { path: ['reuseDelaySeconds'], field: 'reuseDelayMs', ...optionalSeconds },
  { path: ['scopeReuseDelaySeconds'], field: 'scopeReuseDelayMs', ...optionalSeconds },
  { path: ['defaultMaxConcurrency'], field: 'defaultMaxConcurrency', ...optionalLimit },
  // Stored as 0, 1, or `building` while upsertPool builds the indexes in batches.
  {
    path: ['healthIndexes'],
    field: 'healthIndexes',
    toHash: flag.toHash,
    fromHash: (s) => s === '1' || s === 'building',
  },
  { path: ['minHealthScore'], field: 'minHealthScore', ...count },
  // One field, JSON: the three parts change together; '' (null from the caller) is off.
  {
    path: ['healthCheck'],
    field: 'healthCheck',
    toHash: (v: HealthCheckSettings | null) => (v === null ? '' : JSON.stringify(v)),
    fromHash: (s) => (s === '' ? undefined : (JSON.parse(s) as HealthCheckSettings)),
  },
];

/** PoolSettingsSchema with no defaults (nested objects included): what a caller gave. */
type Shape = Record<string, z.ZodType>;
function withoutDefaults(shape: Shape): Shape {
  return Object.fromEntries(
    Object.entries(shape).map(([name, schema]) => {
      if (!(schema instanceof z.ZodDefault)) return [name, schema];
      const inner = schema.unwrap() as z.ZodType;
      return [
        name,
        (inner instanceof z.ZodObject
          ? z.object(withoutDefaults(inner.shape as Shape)).strict()
          : inner
        ).optional(),
      ];
    }),
  );
}

const PoolSettingsGivenSchema = z
  .object(withoutDefaults(PoolSettingsSchema.shape as unknown as Shape))
  .strict()
  .refine(
    (p) => {
      const c = p.cooldown as { baseSeconds?: number; maxSeconds?: number } | undefined;
      return c?.baseSeconds === undefined || c.maxSeconds === undefined
        ? true
        : c.maxSeconds >= c.baseSeconds;
    },
    { path: ['cooldown', 'maxSeconds'], message: 'must be at least cooldown.baseSeconds' },
  );

const DEFAULTS = PoolSettingsSchema.parse({ name: 'defaults' });

function valueAt(settings: object, path: SettingField['path']): unknown {
  let value: unknown = settings;
  for (const step of path) value = (value as Record<string, unknown> | undefined)?.[step];
  return value;
}

function hashPairs(settings: object): (string | number)[] {
  const pairs: (string | number)[] = [];
  for (const s of SETTING_FIELDS) {
    const value = valueAt(settings, s.path);
    if (value !== undefined) pairs.push(s.field, s.toHash(value as never));
  }
  return pairs;
}

/**
 * The validated settings a caller gave (hash field/value pairs, nothing else) and the
 * defaults of every setting (pairs), which the script writes only where a field is missing.
 */
export function parsePoolSettings(input: PoolSettingsInput): {
  name: string;
  given: (string | number)[];
  defaults: (string | number)[];
} {
  const given = parseInput(PoolSettingsGivenSchema, input, 'pool');
  return { name: given.name as string, given: hashPairs(given), defaults: hashPairs(DEFAULTS) };
}

/** PoolSettings from the pool hash (null when the pool does not exist). */
export function poolSettingsFromHash(
  name: string,
  hash: Record<string, string>,
): PoolSettings | null {
  if (hash.leaseMs === undefined) return null;
  const settings: Record<string, unknown> = { name };
  for (const s of SETTING_FIELDS) {
    const stored = hash[s.field];
    const value = stored === undefined ? undefined : s.fromHash(stored);
    if (value === undefined) continue;
    const [first, second] = s.path;
    if (second === undefined) settings[first] = value;
    else settings[first] = { ...(settings[first] as object), [second]: value };
  }
  return settings as PoolSettings & { selector: SelectorStrategy };
}
