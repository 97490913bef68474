import type { ErrorLogEntry } from '@leasehold/client';
import {
  ERROR_CATEGORIES,
  LeaseholdError,
  parseInput,
  poolNameSchema,
  proxyIdSchema,
  sessionIdSchema,
  ValidationError,
} from '@leasehold/core';
import type pg from 'pg';
import { z } from 'zod';
import { databaseSchemaNameSchema, databaseUrlSchema } from '../options.js';
import { redactCredentials } from '../redaction.js';
import { errorLogTable, openPostgresPool } from './postgres.js';

/**
 * The error-log history the worker copied to PostgreSQL, queried by pool, proxy, session,
 * type, category and time range, newest first, a bounded page at a time.
 *
 * Redis keeps each pool's recent window (getErrorLog, capped at the pool's
 * errorLogMaxLength); PostgreSQL keeps everything the worker persisted, a few seconds
 * behind. An entry has the same `id` in both, so a merged view is: recent from Redis, then
 * older from here with `before` set to the oldest id Redis returned (or deduplicate by id).
 */

export const ERROR_LOG_TYPES = ['failure', 'transition', 'lease_expired'] as const;
export const HISTORY_MAX_LIMIT = 1000;

/** Epoch ms or a Date; 0 .. year 275760 (what a Date can hold). */
const instantSchema = z
  .union([z.date(), z.int().min(0).max(8_640_000_000_000_000)])
  .transform((v) => (typeof v === 'number' ? v : v.getTime()));

/** A Redis stream entry id, `<ms>-<seq>`. */
const entryIdSchema = z
  .string()
  .regex(/^\d{1,20}-\d{1,20}$/, 'must be an entry id like 1700000000000-0');

export const ErrorLogHistoryQuerySchema = z
  .object({
    pool: poolNameSchema,
    proxyId: proxyIdSchema.optional(),
    sessionId: sessionIdSchema.optional(),
    type: z.enum(ERROR_LOG_TYPES).optional(),
    category: z.enum(ERROR_CATEGORIES).optional(),
    /** Entries at or after this time. */
    since: instantSchema.optional(),
    /** Entries before this time. */
    until: instantSchema.optional(),
    /** Page cursor: entries older than this one (the last id of the previous page). */
    before: entryIdSchema.optional(),
    limit: z.int().min(1).max(HISTORY_MAX_LIMIT).default(100),
  })
  .strict()
  .refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, {
    path: ['until'],
    message: 'must not be earlier than since',
  });
export type ErrorLogHistoryQuery = z.input<typeof ErrorLogHistoryQuerySchema>;

/** PostgreSQL did not answer, or the worker never created the table there. */
export class ErrorLogHistoryUnavailableError extends LeaseholdError {
  constructor(cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    // 42P01 undefined table, 3F000 undefined schema: the migrations never ran there.
    const notMigrated = code === '42P01' || code === '3F000';
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('HISTORY_UNAVAILABLE', `Error-log history unavailable: ${redactCredentials(detail)}`, {
      field: 'DATABASE_URL',
      hint: notMigrated
        ? 'No error_log table there: start the worker once with this DATABASE_URL and DATABASE_SCHEMA (it applies the migrations)'
        : 'Check that the PostgreSQL at DATABASE_URL answers',
      cause,
    });
  }
}

interface HistoryRow {
  entry_id: string;
  type: string;
  at_ms: number;
  proxy_id: string | null;
  session_id: string | null;
  lease_id: string | null;
  consumer: string | null;
  category: string | null;
  status_code: number | null;
  message: string | null;
  latency_ms: number | null;
  reason: string | null;
  subject: string | null;
  from_state: string | null;
  to_state: string | null;
  scope: string | null;
  probe: boolean | null;
}

// Row column -> entry field, for the optional fields (NULL columns are left out, as the
// stream leaves out empty fields).
const OPTIONAL_FIELDS = [
  ['proxy_id', 'proxyId'],
  ['session_id', 'sessionId'],
  ['lease_id', 'leaseId'],
  ['consumer', 'consumer'],
  ['category', 'category'],
  ['status_code', 'statusCode'],
  ['message', 'message'],
  ['latency_ms', 'latencyMs'],
  ['scope', 'scope'],
  ['subject', 'subject'],
  ['from_state', 'from'],
  ['to_state', 'to'],
  ['reason', 'reason'],
  ['probe', 'probe'],
] as const satisfies readonly (readonly [keyof HistoryRow, keyof ErrorLogEntry])[];

function entryFromRow(pool: string, row: HistoryRow): ErrorLogEntry {
  const entry: Record<string, unknown> = {
    id: row.entry_id,
    type: row.type,
    at: row.at_ms,
    pool,
  };
  for (const [column, field] of OPTIONAL_FIELDS) {
    if (row[column] !== null) entry[field] = row[column];
  }
  return entry as unknown as ErrorLogEntry;
}

/**
 * Entries in the order Redis gave them: by time, then by id as numbers (`<ms>-<seq>`; as
 * text, `…-10` would sort before `…-9`). The (pool, at, entry_id) indexes still serve the
 * time order; ties within one millisecond are sorted on top.
 */
const ORDER_KEY =
  "at, split_part(entry_id, '-', 1)::numeric, split_part(entry_id, '-', 2)::numeric";
const NEWEST_FIRST =
  "at DESC, split_part(entry_id, '-', 1)::numeric DESC, split_part(entry_id, '-', 2)::numeric DESC";

/** Connections a reader holds: queries are one at a time per caller. */
const POOL_SIZE = 2;

export class ErrorLogHistory {
  private readonly table: string;

  /** `pool` is the caller's: close() leaves it open. */
  constructor(
    private readonly pool: pg.Pool,
    schema = 'public',
    private readonly ownsPool = false,
  ) {
    this.table = errorLogTable(parseInput(databaseSchemaNameSchema, schema, 'schema'));
  }

  /** A reader on its own connections (closed by close()). */
  static connect(databaseUrl: string, schema = 'public'): ErrorLogHistory {
    const url = parseInput(databaseUrlSchema, databaseUrl, 'databaseUrl');
    const schemaName = parseInput(databaseSchemaNameSchema, schema, 'schema');
    return new ErrorLogHistory(
      openPostgresPool(url, 'leasehold-history', POOL_SIZE),
      schemaName,
      true,
    );
  }

  /** Configured as the worker is: DATABASE_URL, DATABASE_SCHEMA (default public). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): ErrorLogHistory {
    const url = env.DATABASE_URL?.trim();
    if (!url) {
      throw new ValidationError(
        [{ field: 'DATABASE_URL', message: 'is not set: the history lives in PostgreSQL' }],
        "Set DATABASE_URL (and DATABASE_SCHEMA unless it is public) to the worker's database",
      );
    }
    return ErrorLogHistory.connect(url, env.DATABASE_SCHEMA?.trim() || 'public');
  }

  /** Up to `limit` entries (default 100, at most 1000), newest first. */
  async query(input: ErrorLogHistoryQuery): Promise<ErrorLogEntry[]> {
    const q = parseInput(ErrorLogHistoryQuerySchema, input, 'query');
    const params: unknown[] = [q.pool];
    const where = ['pool = $1'];
    const when = (condition: (param: string) => string, value: unknown) => {
      if (value === undefined) return;
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    when((p) => `proxy_id = ${p}`, q.proxyId);
    when((p) => `session_id = ${p}`, q.sessionId);
    when((p) => `type = ${p}`, q.type);
    when((p) => `category = ${p}`, q.category);
    // The same arithmetic the insert uses, so a bound equal to an entry's time matches it.
    when((p) => `at >= to_timestamp(${p}::float8 / 1000.0)`, q.since);
    when((p) => `at < to_timestamp(${p}::float8 / 1000.0)`, q.until);
    when(
      (p) =>
        `(${ORDER_KEY}) < (SELECT ${ORDER_KEY} FROM ${this.table} WHERE pool = $1 AND entry_id = ${p})`,
      q.before,
    );
    params.push(q.limit);
    const rows = await this.run<HistoryRow>(
      `SELECT entry_id, type, round(extract(epoch FROM at) * 1000)::float8 AS at_ms, proxy_id,
              session_id, lease_id, consumer, category, status_code, message, latency_ms,
              reason, subject, from_state, to_state, scope, probe
         FROM ${this.table}
        WHERE ${where.join(' AND ')}
        ORDER BY ${NEWEST_FIRST}
        LIMIT $${params.length}`,
      params,
    );
    if (rows.length === 0 && q.before !== undefined) await this.assertEntryExists(q.pool, q.before);
    return rows.map((row) => entryFromRow(q.pool, row));
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  /** An unknown cursor is a mistake to report, not an empty page. */
  private async assertEntryExists(pool: string, entryId: string): Promise<void> {
    const found = await this.run(`SELECT 1 FROM ${this.table} WHERE pool = $1 AND entry_id = $2`, [
      pool,
      entryId,
    ]);
    if (found.length === 0) {
      throw new ValidationError(
        [{ field: 'query.before', message: `no entry ${entryId} in pool ${pool}'s history` }],
        'Pass the id of the last entry of the previous page',
      );
    }
  }

  private async run<R extends object>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query(sql, params)).rows as R[];
    } catch (error) {
      throw new ErrorLogHistoryUnavailableError(error);
    }
  }
}
