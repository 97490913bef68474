import type { ErrorLogEntry, ProxyManager } from '@leasehold/client';
import {
  ERROR_CATEGORIES,
  LeaseholdError,
  parseInput,
  proxyIdSchema,
  sessionIdSchema,
} from '@leasehold/core';
import { ERROR_LOG_TYPES, type ErrorLogHistory } from '@leasehold/worker';
import { z } from 'zod';

const RECENT_LIMIT = 200;
const HISTORY_LIMIT = 200;

/** An empty form field means "any". */
const blank = (v: unknown) => (v === '' ? undefined : v);
const FiltersSchema = z.object({
  proxy: z.preprocess(blank, proxyIdSchema.optional()),
  session: z.preprocess(blank, sessionIdSchema.optional()),
  type: z.preprocess(blank, z.enum(ERROR_LOG_TYPES).optional()),
  category: z.preprocess(blank, z.enum(ERROR_CATEGORIES).optional()),
});

interface ErrorFilters {
  proxyId?: string | undefined;
  sessionId?: string | undefined;
  type?: string | undefined;
  category?: string | undefined;
}

export interface ErrorLogView {
  entries: (ErrorLogEntry & { source: 'redis' | 'postgres' })[];
  filters: ErrorFilters;
  note?: string;
}

/**
 * Recent entries from the pool's Redis stream (whether or not the worker persisted them),
 * then older ones from PostgreSQL when a database is configured; the same entry has the
 * same id in both, so duplicates are dropped by id.
 */
export async function errorLogView(
  manager: ProxyManager,
  history: ErrorLogHistory | undefined,
  pool: string,
  query: unknown,
): Promise<ErrorLogView> {
  const q = parseInput(FiltersSchema, query ?? {}, 'query');
  const filters: ErrorFilters = {
    proxyId: q.proxy,
    sessionId: q.session,
    type: q.type,
    category: q.category,
  };
  const matches = (e: ErrorLogEntry) =>
    (q.type === undefined || e.type === q.type) &&
    (q.category === undefined || e.category === q.category);
  const recent = (
    await manager.getErrorLog(pool, {
      proxyId: q.proxy,
      sessionId: q.session,
      limit: RECENT_LIMIT,
    })
  ).filter(matches);
  const entries: ErrorLogView['entries'] = recent.map((e) => ({ ...e, source: 'redis' }));
  if (history === undefined)
    return { entries, filters, note: 'Recent entries from Redis (no DATABASE_URL: no history).' };
  try {
    const oldest = recent[recent.length - 1];
    const older = await history.query({
      pool,
      proxyId: q.proxy,
      sessionId: q.session,
      type: q.type,
      category: q.category,
      ...(oldest === undefined ? {} : { until: oldest.at + 1 }),
      limit: HISTORY_LIMIT,
    });
    const seen = new Set(recent.map((e) => e.id));
    for (const e of older) if (!seen.has(e.id)) entries.push({ ...e, source: 'postgres' });
    return { entries, filters };
  } catch (error) {
    if (!(error instanceof LeaseholdError)) throw error;
    return { entries, filters, note: `${error.message}. ${error.hint ?? ''}` };
  }
}
