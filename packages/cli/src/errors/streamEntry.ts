import type { ErrorLogEntry } from '@leasehold/client';
import { entryFromReply } from '@leasehold/worker';

const NUMERIC_FIELDS = ['at', 'statusCode', 'latencyMs'] as const;

/** An error-log stream entry as getErrorLog returns it (numbers as numbers, `probe` as true). */
export function errorLogEntry(reply: [string, string[]]): ErrorLogEntry {
  const { id, fields } = entryFromReply(reply) ?? { id: reply[0], fields: {} };
  const entry: Record<string, unknown> = { id, ...fields };
  for (const field of NUMERIC_FIELDS)
    if (fields[field] !== undefined) entry[field] = Number(fields[field]);
  if (fields.probe !== undefined) entry.probe = true;
  return entry as unknown as ErrorLogEntry;
}
