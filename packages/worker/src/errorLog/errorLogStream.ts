import type { KeySchema } from '@leasehold/core';
import type { RedisClient } from '../redisConnections.js';
import { entryFromReply, type StreamEntry } from './errorLogRows.js';

/** The consumer group every replica reads pools' error-log streams through. */
export const ERROR_LOG_GROUP = 'leasehold-persist';

/** A consumer idle this long with nothing pending is a replica that is gone: forget it. */
const FORGET_CONSUMER_AFTER_MS = 60 * 60 * 1000;

type RawEntry = [string, string[] | null];

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
    private readonly redis: RedisClient,
    private readonly keys: KeySchema,
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
  ): Promise<{ next: string; entries: StreamEntry[]; vanished: string[] }> {
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
    return { next: reply[0], entries: this.entries(reply[1]), vanished };
  }

  /** Up to `count` entries never delivered to any consumer. */
  async readNew(pool: string, count: number): Promise<StreamEntry[]> {
    const reply = (await this.withGroup(pool, () =>
      this.redis.xreadgroup(
        'GROUP',
        this.group,
        this.consumer,
        'COUNT',
        count,
        'STREAMS',
        this.key(pool),
        '>',
      ),
    )) as [string, RawEntry[]][] | null;
    return this.entries(reply?.[0]?.[1] ?? []);
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

  private entries(raw: RawEntry[]): StreamEntry[] {
    return raw.flatMap((r) => entryFromReply(r) ?? []);
  }

  /**
   * Run a group command, creating the group (and the stream) first if needed. The group
   * starts at 0 so entries written before the first worker ever ran are persisted too; it
   * is re-created if the stream was deleted meanwhile (NOGROUP).
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
      await this.redis.xgroup('CREATE', this.key(pool), this.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!isRedisError(error, 'BUSYGROUP')) throw error;
    }
    this.groupsCreated.add(pool);
  }
}
