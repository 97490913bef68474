import { redactCredentials } from '../redaction.js';

/** One error-log stream entry as read from Redis: its id and its field/value pairs. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

/** One row of the `error_log` table (see migrations/). */
export interface ErrorLogRow {
  pool: string;
  entryId: string;
  type: string;
  /** Server epoch ms. */
  atMs: number;
  proxyId: string | null;
  sessionId: string | null;
  leaseId: string | null;
  consumer: string | null;
  category: string | null;
  statusCode: number | null;
  message: string | null;
  latencyMs: number | null;
  reason: string | null;
  subject: string | null;
  fromState: string | null;
  toState: string | null;
  scope: string | null;
  /** Written by an active health check (absent otherwise; NULL in the table). */
  probe?: true;
}

/** `[id, [field, value, ...]]` as ioredis returns stream entries. */
export function entryFromReply(reply: [string, string[] | null]): StreamEntry | undefined {
  const [id, flat] = reply;
  // XAUTOCLAIM on an old Redis reports entries deleted meanwhile with no fields.
  if (flat === null) return undefined;
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  return { id, fields };
}

// PostgreSQL text cannot hold NUL: one would fail its batch on every retry, so it becomes
// U+FFFD (the replacement character), which still shows that something was there.
const text = (value: string | undefined): string | null =>
  value === undefined || value === '' ? null : value.replaceAll('\u0000', '\uFFFD');

// Scrapers put what they caught into outcome messages, URLs with passwords included: keep
// those out of a database that more people can read than Redis.
const scrubbed = (value: string | undefined): string | null => {
  const t = text(value);
  return t === null ? null : redactCredentials(t);
};

const integerOrNull = (value: string | undefined): number | null => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isSafeInteger(n) ? n : null;
};

const numberOrNull = (value: string | undefined): number | null => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : null;
};

/**
 * The table row for a stream entry. Never throws: a malformed field becomes NULL rather
 * than an entry that fails every retry and blocks the ones behind it.
 */
export function rowFromEntry(pool: string, entry: StreamEntry): ErrorLogRow {
  const f = entry.fields;
  // The entry id starts with the server time in ms: the fallback when `at` is unusable.
  const atMs = numberOrNull(f.at) ?? Number(entry.id.split('-')[0]);
  return {
    // The stream key names the pool; the `pool` field is empty if the pool hash was gone.
    pool,
    entryId: entry.id,
    type: text(f.type) ?? 'unknown',
    atMs,
    proxyId: text(f.proxyId),
    sessionId: text(f.sessionId),
    leaseId: text(f.leaseId),
    consumer: text(f.consumer),
    category: text(f.category),
    statusCode: integerOrNull(f.statusCode),
    message: scrubbed(f.message),
    latencyMs: numberOrNull(f.latencyMs),
    reason: scrubbed(f.reason),
    subject: text(f.subject),
    fromState: text(f.from),
    toState: text(f.to),
    scope: text(f.scope),
    ...(f.probe === '1' ? { probe: true as const } : {}),
  };
}
