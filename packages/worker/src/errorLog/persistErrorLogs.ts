import type { ProxyManager } from '@leasehold/client';
import { eachPool, type JobReport, noReport } from '../jobs/eachPool.js';
import { rowFromEntry, type StreamEntry } from './errorLogRows.js';
import type { ErrorLogStore } from './errorLogStore.js';
import type { ErrorLogStream } from './errorLogStream.js';

export const NO_DATABASE_NOTE =
  'DATABASE_URL is not set: error-log entries stay in the capped Redis streams';

export interface PersistSettings {
  batchSize: number;
  claimIdleMs: number;
  maxEntriesPerRun: number;
}

export interface PersistErrorLogsDeps {
  manager: ProxyManager;
  stream: ErrorLogStream;
  /** Absent without DATABASE_URL. */
  store: ErrorLogStore | undefined;
  settings: PersistSettings;
}

export type PersistSummary =
  | {
      pools: number;
      /** Entries copied to PostgreSQL and acknowledged (they stay in the capped streams). */
      persisted: number;
      /** Of those, already in PostgreSQL from an earlier, interrupted attempt. */
      duplicates: number;
      /** Of those, taken over from a replica that read them and then died. */
      reclaimed: number;
    }
  | { pools: number; persisted: 0; skipped: string };

/**
 * Copy every pool's error-log entries to PostgreSQL: first the entries a dead replica left
 * pending, then new ones; each batch is inserted (idempotently), then acknowledged. Entries
 * are never deleted here: the stream is the recent window readers see (capped by the
 * scripts), PostgreSQL the history. A crash anywhere loses nothing: unacknowledged entries
 * are delivered again, and re-inserting them is a no-op.
 */
export async function persistErrorLogs(
  deps: PersistErrorLogsDeps,
  report: JobReport = noReport,
): Promise<PersistSummary> {
  const pools = await deps.manager.listPools();
  const store = deps.store;
  if (store === undefined) return { pools: pools.length, persisted: 0, skipped: NO_DATABASE_NOTE };

  const totals = { persisted: 0, duplicates: 0, reclaimed: 0 };
  await eachPool('persist-error-logs', pools, async (pool) => {
    const moved = await persistPool(deps, store, pool);
    totals.persisted += moved.persisted;
    totals.duplicates += moved.duplicates;
    totals.reclaimed += moved.reclaimed;
    if (moved.persisted > 0) {
      await report(
        `${pool}: persisted ${moved.persisted} (${moved.reclaimed} taken over, ${moved.duplicates} already stored)`,
      );
    }
  });
  return { pools: pools.length, ...totals };
}

async function persistPool(
  deps: PersistErrorLogsDeps,
  store: ErrorLogStore,
  pool: string,
): Promise<{ persisted: number; duplicates: number; reclaimed: number }> {
  const { stream, settings } = deps;
  const moved = { persisted: 0, duplicates: 0, reclaimed: 0 };
  const persistBatch = async (entries: StreamEntry[]) => {
    if (entries.length === 0) return;
    const inserted = await store.insert(entries.map((entry) => rowFromEntry(pool, entry)));
    // Acknowledge only after the rows are committed.
    await stream.acknowledge(
      pool,
      entries.map((entry) => entry.id),
    );
    moved.persisted += entries.length;
    moved.duplicates += entries.length - inserted;
  };

  // Entries of a replica that died mid-batch: pending, and idle for claimIdleMs.
  let cursor = '0-0';
  do {
    const claimed = await stream.claimStale(pool, settings.claimIdleMs, settings.batchSize, cursor);
    await persistBatch(claimed.entries);
    await stream.acknowledge(pool, claimed.vanished);
    moved.reclaimed += claimed.entries.length;
    cursor = claimed.next;
  } while (cursor !== '0-0' && moved.persisted < settings.maxEntriesPerRun);

  while (moved.persisted < settings.maxEntriesPerRun) {
    const entries = await stream.readNew(pool, settings.batchSize);
    await persistBatch(entries);
    if (entries.length < settings.batchSize) break;
  }

  await stream.forgetGoneConsumers(pool);
  return moved;
}
