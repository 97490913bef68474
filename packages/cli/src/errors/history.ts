import type { ErrorLogEntry } from '@leasehold/client';
import { ErrorLogHistory, type ErrorLogHistoryQuery } from '@leasehold/worker';
import type { Cli } from '../runner/cli.js';

/** `errors --history`: the PostgreSQL history the worker persisted (DATABASE_URL, DATABASE_SCHEMA). */
export async function historyEntries(
  cli: Cli,
  query: ErrorLogHistoryQuery,
): Promise<ErrorLogEntry[]> {
  const history = ErrorLogHistory.fromEnv(cli.io.env);
  cli.onClose(() => history.close());
  return history.query(query);
}
