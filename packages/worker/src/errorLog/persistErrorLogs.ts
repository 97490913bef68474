import type { ProxyManager } from '@leasehold/client';
import { eachPool, type JobReport, noReport } from '../jobs/eachPool.js';
import { type Logger, silentLogger } from '../logger.js';
import { DEFAULT_BACKLOG_MAX_ENTRIES } from '../options.js';
import { ErrorLogBacklog } from './errorLogBacklog.js';
import { ErrorLogHistoryUnavailableError } from './errorLogHistory.js';
import { rowFromEntry, type StreamEntry } from './errorLogRows.js';
import type { ErrorLogStore } from './errorLogStore.js';
import type { ErrorLogStream } from './errorLogStream.js';

export const NO_DATABASE_NOTE =
  'DATABASE_URL is not set: error-log entries stay in the capped Redis streams';

export interface PersistSettings {
  batchSize: number;
  claimIdleMs: number;
  maxEntriesPerRun: number;
  /** Entries kept per pool while PostgreSQL is unreachable. Default 100,000. */
  backlogMaxEntries?: number;
}

export interface PersistErrorLogsDeps {
  manager: ProxyManager;
  stream: ErrorLogStream;
  /** Absent without DATABASE_URL. */
  store: ErrorLogStore | undefined;
  settings: PersistSettings;
  /** Where lost entries and a full backlog are reported. */
  logger?: Logger;
}

interface Moved {
  /** Entries copied to PostgreSQL and acknowledged (they stay in the capped streams). */
  persisted: number;
  /** Of those, already in PostgreSQL from an earlier, interrupted attempt. */
  duplicates: number;
  /** Of those, taken over from a replica that read them and then died. */
  reclaimed: number;
  /** Entries kept in the backlog because PostgreSQL did not answer. */
  backlogged: number;
  /** Entries trimmed from the stream before they were persisted or kept. */
  lost: number;
}

export type PersistSummary =
  | ({ pools: number } & Moved)
  | { pools: number; persisted: 0; skipped: string };

/**
 * Copy every pool's error-log entries to PostgreSQL: first the backlog kept while it was
 * away, then the entries a dead replica left pending, then new ones; each batch is inserted
 * (idempotently), then acknowledged. While PostgreSQL does not answer, batches move to the
 * pool's backlog instead (its newest backlogMaxEntries kept), so the scripts' trimming of
 * the stream does not take them; the pool then fails the run, so the job shows why. Entries
 * lost all the same (trimmed before a run read them, dropped from a full backlog) are counted
 * in the ledger and logged. The stream is never deleted
 * from here: it is the recent window readers see, PostgreSQL the history.
 */
export async function persistErrorLogs(
  deps: PersistErrorLogsDeps,
  report: JobReport = noReport,
): Promise<PersistSummary> {
  const pools = await deps.manager.listPools();
  const store = deps.store;
  if (store === undefined) return { pools: pools.length, persisted: 0, skipped: NO_DATABASE_NOTE };

  const totals: Moved = { persisted: 0, duplicates: 0, reclaimed: 0, backlogged: 0, lost: 0 };
  // Once PostgreSQL failed, the other pools of this run go to their backlogs without waiting
  // on it again (a host that drops packets costs a connect timeout per attempt).
  const database: DatabaseState = { unavailable: undefined };
  await eachPool('persist-error-logs', pools, async (pool) => {
    const run = new PoolRun(deps, store, pool, database);
    let failure: unknown;
    try {
      await run.persist();
    } catch (error) {
      failure = error;
    }
    for (const key of Object.keys(totals) as (keyof Moved)[]) totals[key] += run.moved[key];
    await run.reportTo(report);
    if (failure !== undefined) throw failure;
  });
  return { pools: pools.length, ...totals };
}

interface DatabaseState {
  /** Set once PostgreSQL failed this run: later batches go to the backlog without trying. */
  unavailable: ErrorLogHistoryUnavailableError | undefined;
}

/** One pool's share of a run. */
class PoolRun {
  readonly moved: Moved = { persisted: 0, duplicates: 0, reclaimed: 0, backlogged: 0, lost: 0 };
  private readonly backlog: ErrorLogBacklog;
  private readonly logger: Logger;
  private readonly backlogMax: number;
  /** Oldest backlog entries dropped this run to stay within backlogMax. */
  private dropped = 0;
  private neededDatabase = false;

  constructor(
    private readonly deps: PersistErrorLogsDeps,
    private readonly store: ErrorLogStore,
    private readonly pool: string,
    private readonly database: DatabaseState,
  ) {
    this.backlog = new ErrorLogBacklog(deps.stream.redis, deps.stream.keys);
    this.logger = deps.logger ?? silentLogger();
    this.backlogMax = deps.settings.backlogMaxEntries ?? DEFAULT_BACKLOG_MAX_ENTRIES;
  }

  async persist(): Promise<void> {
    const { stream, settings } = this.deps;
    await this.drainBacklog();

    // Entries of a replica that died mid-batch: pending, and idle for claimIdleMs.
    let cursor = '0-0';
    do {
      const claimed = await stream.claimStale(
        this.pool,
        settings.claimIdleMs,
        settings.batchSize,
        cursor,
      );
      await this.take(claimed.entries);
      await stream.acknowledge(this.pool, claimed.vanished);
      this.moved.reclaimed += claimed.entries.length;
      this.noteLost(claimed.lost);
      cursor = claimed.next;
    } while (cursor !== '0-0' && this.handled() < settings.maxEntriesPerRun);

    while (this.handled() < settings.maxEntriesPerRun) {
      const read = await stream.readNew(this.pool, settings.batchSize);
      this.noteLost(read.lost ?? 0);
      await this.take(read.entries);
      if (read.entries.length < settings.batchSize) break;
    }

    await stream.forgetGoneConsumers(this.pool);
    // A pool fails the run only if it had something for PostgreSQL.
    if (this.neededDatabase && this.database.unavailable) throw this.database.unavailable;
  }

  async reportTo(report: JobReport): Promise<void> {
    const m = this.moved;
    if (m.persisted > 0) {
      await report(
        `${this.pool}: persisted ${m.persisted} (${m.reclaimed} taken over, ${m.duplicates} already stored)`,
      );
    }
    if (m.backlogged > 0) {
      await report(`${this.pool}: PostgreSQL unavailable, ${m.backlogged} kept in the backlog`);
    }
    if (this.dropped > 0) {
      await report(
        `${this.pool}: backlog full (${this.backlogMax}), ${this.dropped} oldest dropped`,
      );
    }
    if (m.lost > 0)
      await report(
        `${this.pool}: ${m.lost} entries lost (trimmed or dropped before they were persisted)`,
      );
  }

  /** Backlogged entries first, oldest first, while PostgreSQL answers. */
  private async drainBacklog(): Promise<void> {
    const { batchSize, maxEntriesPerRun } = this.deps.settings;
    while (this.handled() < maxEntriesPerRun) {
      const kept = await this.backlog.oldest(this.pool, batchSize);
      if (kept.length === 0) return;
      const inserted = await this.insert(kept.map((k) => k.entry));
      if (inserted === undefined) return;
      await this.backlog.remove(
        this.pool,
        kept.map((k) => k.backlogId),
      );
      this.moved.persisted += kept.length;
      this.moved.duplicates += kept.length - inserted;
    }
  }

  /** Persist and acknowledge a batch, or keep it in the backlog if PostgreSQL is away. */
  private async take(entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const inserted = await this.insert(entries);
    if (inserted === undefined) {
      const dropped = await this.backlog.keep(
        this.pool,
        entries,
        this.deps.stream,
        this.backlogMax,
      );
      this.moved.backlogged += entries.length;
      if (dropped > 0) {
        this.dropped += dropped;
        this.noteLost(dropped, 'error-log backlog full: its oldest entries were dropped');
      }
      return;
    }
    // Acknowledge only after the rows are committed.
    await this.deps.stream.acknowledge(
      this.pool,
      entries.map((entry) => entry.id),
    );
    this.moved.persisted += entries.length;
    this.moved.duplicates += entries.length - inserted;
  }

  /** Rows inserted, or undefined once PostgreSQL failed this run. */
  private async insert(entries: readonly StreamEntry[]): Promise<number | undefined> {
    this.neededDatabase = true;
    if (this.database.unavailable !== undefined) return undefined;
    try {
      return await this.store.insert(entries.map((entry) => rowFromEntry(this.pool, entry)));
    } catch (error) {
      if (!(error instanceof ErrorLogHistoryUnavailableError)) throw error;
      this.database.unavailable = error;
      return undefined;
    }
  }

  private noteLost(
    lost: number,
    why = 'error-log entries lost: trimmed from the Redis stream before they were persisted',
  ): void {
    if (lost === 0) return;
    this.moved.lost += lost;
    this.logger.warn({ pool: this.pool, lost, backlogMax: this.backlogMax }, why);
  }

  private handled(): number {
    return this.moved.persisted + this.moved.backlogged;
  }
}
