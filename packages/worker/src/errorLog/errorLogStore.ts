import type pg from 'pg';
import { ErrorLogHistoryUnavailableError } from './errorLogHistory.js';
import type { ErrorLogRow } from './errorLogRows.js';
import { errorLogTable, openPostgresPool } from './postgres.js';

/** Connections the worker holds: one job persists at a time, plus a health check. */
const POOL_SIZE = 3;

/**
 * The `error_log` table in PostgreSQL. Inserts are idempotent by (pool, entry_id), so an
 * entry delivered twice (its worker died between insert and acknowledgement) is stored once.
 */
export class ErrorLogStore {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.table = errorLogTable(schema);
  }

  static connect(databaseUrl: string, schema: string): ErrorLogStore {
    return new ErrorLogStore(openPostgresPool(databaseUrl, 'leasehold-worker', POOL_SIZE), schema);
  }

  /**
   * Insert a batch in one statement (one array per column, unnested server side: a fixed
   * statement whatever the batch size). Returns how many rows were new; a failure is an
   * ErrorLogHistoryUnavailableError (the driver's message redacted).
   */
  async insert(rows: readonly ErrorLogRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    try {
      return await this.insertBatch(rows);
    } catch (error) {
      throw new ErrorLogHistoryUnavailableError(error);
    }
  }

  private async insertBatch(rows: readonly ErrorLogRow[]): Promise<number> {
    const column = <K extends keyof ErrorLogRow>(name: K) => rows.map((row) => row[name]);
    const result = await this.pool.query(
      `INSERT INTO ${this.table}
         (pool, entry_id, type, at, proxy_id, session_id, lease_id, consumer, category,
          status_code, message, latency_ms, reason, subject, from_state, to_state, scope,
          probe)
       SELECT pool, entry_id, type, to_timestamp(at_ms / 1000.0), proxy_id, session_id,
              lease_id, consumer, category, status_code, message, latency_ms, reason,
              subject, from_state, to_state, scope, probe
         FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[],
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::text[],
                     $12::float8[], $13::text[], $14::text[], $15::text[], $16::text[],
                     $17::text[], $18::boolean[])
           AS t(pool, entry_id, type, at_ms, proxy_id, session_id, lease_id, consumer,
                category, status_code, message, latency_ms, reason, subject, from_state,
                to_state, scope, probe)
       ON CONFLICT (pool, entry_id) DO NOTHING`,
      [
        column('pool'),
        column('entryId'),
        column('type'),
        column('atMs'),
        column('proxyId'),
        column('sessionId'),
        column('leaseId'),
        column('consumer'),
        column('category'),
        column('statusCode'),
        column('message'),
        column('latencyMs'),
        column('reason'),
        column('subject'),
        column('fromState'),
        column('toState'),
        column('scope'),
        rows.map((row) => row.probe ?? null),
      ],
    );
    return result.rowCount ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
