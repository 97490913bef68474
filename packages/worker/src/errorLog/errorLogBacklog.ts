import type { KeySchema } from '@leasehold/core/internal';
import type { RedisClient } from '../redisConnections.js';
import { entryFromReply, type StreamEntry } from './errorLogRows.js';
import { type ErrorLogStream, errorLogLedgerKey } from './errorLogStream.js';

/** The field holding the entry's id in the error-log stream (backlog ids are its own). */
const ENTRY_ID = 'entryId';

/** A backlog entry: the error-log entry, and its id in the backlog (to delete it by). */
export interface BacklogEntry {
  backlogId: string;
  entry: StreamEntry;
}

/**
 * Error-log entries read while PostgreSQL was unreachable, kept in a stream the worker owns
 * (`<prefix>:{<pool>}:errorLogBacklog`, the pool's hash tag, so one slot) instead of left to
 * the scripts' trimming of the error-log stream. Entries move there and are acknowledged in
 * the error-log group in one transaction, so a crash neither loses nor doubles them; once
 * PostgreSQL answers they are inserted (idempotent by entry id) and deleted. Past its bound
 * the oldest are dropped, counted as lost: the newest say most about an ongoing outage.
 */
export class ErrorLogBacklog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeySchema,
  ) {}

  key(pool: string): string {
    return `${this.keys.poolPrefix(pool)}errorLogBacklog`;
  }

  length(pool: string): Promise<number> {
    return this.redis.xlen(this.key(pool));
  }

  /**
   * Keep `entries` (read from `stream`'s group) and acknowledge them there, atomically; the
   * backlog is then cut to `maxEntries`. Returns how many of its oldest were dropped (also
   * added to the ledger's `lost`).
   */
  async keep(
    pool: string,
    entries: readonly StreamEntry[],
    stream: ErrorLogStream,
    maxEntries: number,
  ): Promise<number> {
    if (entries.length === 0) return 0;
    const transaction = this.redis.multi();
    for (const { id, fields } of entries) {
      transaction.xadd(this.key(pool), '*', ENTRY_ID, id, ...Object.entries(fields).flat());
    }
    transaction.xack(stream.key(pool), stream.group, ...entries.map((e) => e.id));
    transaction.xtrim(this.key(pool), 'MAXLEN', maxEntries);
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (results === null || failed) throw failed ?? new Error('backlog transaction aborted');
    const dropped = Number(results.at(-1)?.[1] ?? 0);
    if (dropped > 0) await this.redis.hincrby(errorLogLedgerKey(this.keys, pool), 'lost', dropped);
    return dropped;
  }

  /** The oldest `count` entries. */
  async oldest(pool: string, count: number): Promise<BacklogEntry[]> {
    const raw = (await this.redis.xrange(this.key(pool), '-', '+', 'COUNT', count)) as [
      string,
      string[],
    ][];
    return raw.flatMap((reply) => {
      const kept = entryFromReply(reply);
      if (kept === undefined) return [];
      const { [ENTRY_ID]: id = kept.id, ...fields } = kept.fields;
      return [{ backlogId: kept.id, entry: { id, fields } }];
    });
  }

  async remove(pool: string, backlogIds: readonly string[]): Promise<void> {
    if (backlogIds.length > 0) await this.redis.xdel(this.key(pool), ...backlogIds);
  }
}

/** What /metrics shows of a pool's persistence. */
export interface PersistenceStats {
  /** Entries trimmed or dropped before they were persisted, ever. */
  lost: number;
  /** Entries waiting in the backlog for PostgreSQL. */
  backlog: number;
}

export async function readPersistenceStats(
  backlog: ErrorLogBacklog,
  stream: ErrorLogStream,
  pool: string,
): Promise<PersistenceStats> {
  const [lost, waiting] = await Promise.all([stream.lostTotal(pool), backlog.length(pool)]);
  return { lost, backlog: waiting };
}
