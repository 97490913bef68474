import type { KeySchema } from '@leasehold/core/internal';
import type { RedisClient } from '../redisConnections.js';
import { entryFromReply, type StreamEntry } from './errorLogRows.js';
import { parseGroupInfo, parseStreamInfo, readStart } from './trimmedEntries.js';

/** The consumer group every replica reads pools' error-log streams through. */
export const ERROR_LOG_GROUP = 'leasehold-persist';

/** A consumer idle this long with nothing pending is a replica that is gone: forget it. */
const FORGET_CONSUMER_AFTER_MS = 60 * 60 * 1000;

type RawEntry = [string, string[] | null];

/** Entries read, and how many were trimmed from the stream before anyone read them. */
export interface ReadEntries {
  entries: StreamEntry[];
  /** Undefined when the server cannot tell (Redis 6, entries deleted by id). */
  lost: number | undefined;
}

/**
 * The worker's own hash beside each pool's stream (same hash tag, so one slot): `lost`, the
 * entries trimmed before they were persisted, ever; `offset`, what Redis' `entries-read`
 * misses after such a gap (see trimmedEntries.ts).
 */
export function errorLogLedgerKey(keys: KeySchema, pool: string): string {
  return `${keys.poolPrefix(pool)}errorLogLedger`;
}

function isRedisError(error: unknown, prefix: string): boolean {
  return error instanceof Error && error.message.startsWith(prefix);
}

/**
 * Reads a pool's error-log stream through a consumer group: an entry is delivered to one
 * replica, stays pending until acknowledged, and is taken over by another replica if the
 * one holding it dies. Acknowledging never deletes: the stream stays the capped window of
 * recent entries that getErrorLog and `leasehold errors` read (the scripts trim it to the
 * pool's errorLogMaxLength); PostgreSQL keeps the history beyond it.
 */
export class ErrorLogStream {
  private readonly groupsCreated = new Set<string>();

  constructor(
    readonly redis: RedisClient,
    readonly keys: KeySchema,
    readonly consumer: string,
    readonly group: string = ERROR_LOG_GROUP,
  ) {}

  key(pool: string): string {
    return this.keys.poolKeys(pool).errorLog;
  }

  /** Entries pending longer than `minIdleMs` with any consumer (a dead one), now ours. */
  async claimStale(
    pool: string,
    minIdleMs: number,
    count: number,
    cursor: string,
  ): Promise<{ next: string; entries: StreamEntry[]; vanished: string[]; lost: number }> {
    const reply = (await this.withGroup(pool, () =>
      this.redis.xautoclaim(
        this.key(pool),
        this.group,
        this.consumer,
        minIdleMs,
        cursor,
        'COUNT',
        count,
      ),
    )) as [string, RawEntry[], string[]?];
    // Entries trimmed from the stream while pending (the stream is capped): Redis 7 drops
    // them from the pending list itself, Redis 6.2 returns them without fields and keeps
    // them pending, so the caller acknowledges those.
    const vanished = reply[1].filter(([, fields]) => fields === null).map(([id]) => id);
    // Either way they were read and never persisted: lost.
    const lost = vanished.length + (reply[2]?.length ?? 0);
    if (lost > 0) await this.redis.hincrby(errorLogLedgerKey(this.keys, pool), 'lost', lost);
    return { next: reply[0], entries: this.entries(reply[1]), vanished, lost };
  }

  /**
   * Up to `count` entries never delivered to any consumer, and how many were trimmed before
   * this read could reach them (added to the ledger's `lost`). The group's position is read
   * in the same transaction as the entries, so of replicas reading at once exactly one sees
   * (and counts) a gap.
   */
  async readNew(pool: string, count: number): Promise<ReadEntries> {
    const key = this.key(pool);
    const ledger = errorLogLedgerKey(this.keys, pool);
    const [streamInfo, groupsBefore, offsetField, read, groupsAfter] = await this.withGroup(
      pool,
      async () =>
        execOrThrow(
          await this.redis
            .multi()
            .xinfo('STREAM', key)
            .xinfo('GROUPS', key)
            .hget(ledger, 'offset')
            .xreadgroup('GROUP', this.group, this.consumer, 'COUNT', count, 'STREAMS', key, '>')
            .xinfo('GROUPS', key)
            .exec(),
        ),
    );
    const entries = this.entries((read as [string, RawEntry[]][] | null)?.[0]?.[1] ?? []);
    const offset = Number(offsetField ?? 0);
    const before = parseGroupInfo(groupsBefore, this.group);
    const after = parseGroupInfo(groupsAfter, this.group);
    const start = before && readStart(parseStreamInfo(streamInfo), before, offset);
    if (start === undefined) return { entries, lost: undefined };
    const afterRead = after?.entriesRead ?? null;
    const offsetDelta =
      entries.length > 0 && afterRead !== null
        ? start.position + entries.length - afterRead - offset
        : 0;
    if (start.lost > 0 || offsetDelta !== 0) {
      await this.redis
        .multi()
        .hincrby(ledger, 'lost', start.lost)
        .hincrby(ledger, 'offset', offsetDelta)
        .exec();
    }
    return { entries, lost: start.lost };
  }

  /** Entries trimmed from this pool's stream before they were persisted, ever. */
  async lostTotal(pool: string): Promise<number> {
    return Number((await this.redis.hget(errorLogLedgerKey(this.keys, pool), 'lost')) ?? 0);
  }

  /** Acknowledge (XACK only): the entries stay in the stream for readers until trimmed. */
  async acknowledge(pool: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.xack(this.key(pool), this.group, ...ids);
  }

  /** Entries delivered but not yet acknowledged, across all consumers. */
  async pendingCount(pool: string): Promise<number> {
    const reply = (await this.withGroup(pool, () =>
      this.redis.xpending(this.key(pool), this.group),
    )) as [number, ...unknown[]];
    return Number(reply[0]);
  }

  /** Drop consumers of gone replicas (idle for an hour, nothing pending). */
  async forgetGoneConsumers(pool: string): Promise<number> {
    const key = this.key(pool);
    const consumers = (await this.withGroup(pool, () =>
      this.redis.xinfo('CONSUMERS', key, this.group),
    )) as unknown[][];
    let forgotten = 0;
    for (const flat of consumers) {
      const info: Record<string, unknown> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) info[String(flat[i])] = flat[i + 1];
      const gone =
        info.name !== this.consumer &&
        Number(info.pending) === 0 &&
        Number(info.idle) > FORGET_CONSUMER_AFTER_MS;
      if (gone) {
        await this.redis.xgroup('DELCONSUMER', key, this.group, String(info.name));
        forgotten++;
      }
    }
    return forgotten;
  }

  private entries(raw: readonly RawEntry[]): StreamEntry[] {
    return raw.flatMap((r) => entryFromReply(r) ?? []);
  }

  /**
   * Run a group command, creating the group (and the stream) first if needed. The group
   * starts at 0 so entries written before the first worker ever ran are persisted too, with
   * `entries-read` 0 so any of those already trimmed count as lost; it is re-created if the
   * stream was deleted meanwhile (NOGROUP).
   */
  private async withGroup<T>(pool: string, command: () => Promise<T>): Promise<T> {
    if (!this.groupsCreated.has(pool)) await this.createGroup(pool);
    try {
      return await command();
    } catch (error) {
      if (!isRedisError(error, 'NOGROUP')) throw error;
      await this.createGroup(pool);
      return command();
    }
  }

  private async createGroup(pool: string): Promise<void> {
    try {
      const key = this.key(pool);
      await this.redis.xgroup('CREATE', key, this.group, '0', 'MKSTREAM', 'ENTRIESREAD', '0');
      // A new group counts from 0: a correction kept for an old one no longer applies.
      await this.redis.hdel(errorLogLedgerKey(this.keys, pool), 'offset');
    } catch (error) {
      if (!isRedisError(error, 'BUSYGROUP')) throw error;
    }
    this.groupsCreated.add(pool);
  }
}

/** A transaction's replies; the first failed command's error is thrown (NOGROUP first). */
function execOrThrow(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new Error('transaction aborted');
  const errors = results.flatMap(([error]) => (error === null ? [] : [error]));
  const first = errors.find((e) => isRedisError(e, 'NOGROUP')) ?? errors[0];
  if (first !== undefined) throw first;
  return results.map(([, value]) => value);
}
