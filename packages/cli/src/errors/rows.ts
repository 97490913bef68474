import type { ErrorLogEntry } from '@leasehold/client';
import { isoTime } from '../output/output.js';

/** How `leasehold errors` shows an entry to people: one table row, or one line when following. */
export const ERROR_COLUMNS = ['id', 'at', 'type', 'proxy', 'session', 'what', 'status', 'detail'];

export const errorRow = (e: ErrorLogEntry) => ({
  id: e.id,
  at: isoTime(e.at),
  type: e.type,
  proxy: e.proxyId,
  session: e.sessionId,
  what: e.type === 'transition' ? `${e.subject} ${e.from} → ${e.to}` : (e.category ?? ''),
  status: e.statusCode,
  detail: e.reason ?? e.message ?? e.consumer,
});

export const errorLine = (e: ErrorLogEntry): string =>
  Object.values(errorRow(e))
    .map((v) => v ?? '-')
    .join('  ');
