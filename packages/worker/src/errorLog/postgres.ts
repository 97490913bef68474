import pg from 'pg';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A pg pool for the error-log table. An idle connection dropped by the server must not
 * crash the process (pg emits 'error' on the pool): the next query reconnects.
 */
export function openPostgresPool(
  databaseUrl: string,
  applicationName: string,
  maxConnections: number,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: maxConnections,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: applicationName,
  });
  pool.on('error', () => {});
  return pool;
}

/** `"schema".error_log`, quoted: the schema name comes from configuration. */
export function errorLogTable(schema: string): string {
  return `${pg.escapeIdentifier(schema)}.error_log`;
}
