// The proxy username as the gateway reads it: `key=value` pairs joined by `,`, each value
// percent-decoded. It is untrusted input from any client, so it is bounded and checked with
// zod here, before anything is leased.
import {
  consumerSchema,
  isLabelName,
  LIMITS,
  ProxyLabelsSchema,
  poolNameSchema,
  scopeSchema,
  sessionIdSchema,
} from '@leasehold/core';
import { z } from 'zod';

/** What a username asks for; every field optional (the gateway's defaults fill the rest). */
export interface UsernameOptions {
  pool?: string;
  session?: string;
  consumer?: string;
  scope?: string;
  waitMs?: number;
  /** Label equalities (`country=AR`), as acquire's filters take them. */
  labels: Record<string, string>;
}

/** A username the gateway refuses: `field` is the key at fault (never its value). */
export class UsernameError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'UsernameError';
  }
}

/** Long enough for a pool, a session, a consumer, a scope and a few labels. */
export const MAX_USERNAME_LENGTH = 1024;
const MAX_PAIRS = 16;

const waitSchema = z
  .string()
  .regex(/^\d{1,7}$/, 'must be a whole number of milliseconds')
  .transform(Number)
  .pipe(z.number().max(LIMITS.maxWaitMs));

const optionSchemas = {
  pool: poolNameSchema,
  session: sessionIdSchema,
  consumer: consumerSchema,
  scope: scopeSchema,
  wait: waitSchema,
} as const;
type OptionKey = keyof typeof optionSchemas;

function isOptionKey(key: string): key is OptionKey {
  return Object.hasOwn(optionSchemas, key);
}

function decode(key: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new UsernameError(key, 'is not valid percent-encoding');
  }
}

function checked<T>(key: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsernameError(key, parsed.error.issues[0]?.message ?? 'invalid');
  return parsed.data;
}

/** Parses a proxy username; throws UsernameError. An empty username asks for nothing. */
export function parseUsername(username: string): UsernameOptions {
  const result: UsernameOptions = { labels: {} };
  if (username === '') return result;
  if (username.length > MAX_USERNAME_LENGTH)
    throw new UsernameError('username', `must be at most ${MAX_USERNAME_LENGTH} characters`);
  const pairs = username.split(',');
  if (pairs.length > MAX_PAIRS)
    throw new UsernameError('username', `must have at most ${MAX_PAIRS} key=value pairs`);
  const seen = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsernameError('username', 'must be key=value pairs joined by ","');
    const key = pair.slice(0, eq);
    if (seen.has(key)) throw new UsernameError(key, 'is given twice');
    seen.add(key);
    const value = decode(key, pair.slice(eq + 1));
    if (isOptionKey(key)) setOption(result, key, value);
    else if (isLabelName(key)) result.labels[key] = value;
    else throw new UsernameError(key, 'is neither an option nor a label name');
  }
  checked('labels', ProxyLabelsSchema, result.labels);
  return result;
}

function setOption(result: UsernameOptions, key: OptionKey, value: string): void {
  switch (key) {
    case 'wait':
      result.waitMs = checked(key, optionSchemas.wait, value);
      break;
    default:
      result[key] = checked(key, optionSchemas[key], value);
  }
}
