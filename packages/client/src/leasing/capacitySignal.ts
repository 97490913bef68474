import type { Cluster, Redis } from 'ioredis';
import { closeRedis } from '../redis/connect.js';
import { duplicateConnections } from '../redis/managerConnections.js';

/**
 * Wakes acquirers that wait for capacity (acquireProxy with waitMs) instead of letting them
 * poll. The scripts SPUBLISH (sharded pub/sub, Redis 7) one message on the pool's `capacity`
 * channel for every unit of capacity that appears (a release, an expiry, a recovered proxy, a
 * new proxy); each message wakes the longest-waiting local waiter, which retries its acquire. A waiter that loses the
 * race keeps its place at the front, so no caller starves; a waiter that gave up is simply
 * no longer in line, so its wake-up goes to the next one.
 */

interface Waiter {
  since: number;
  wake: () => void;
}

export class CapacitySignal {
  private subscriber: Redis | Cluster | undefined;
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly generations = new Map<string, number>();
  /** Waiters of this process per channel, whether in line or trying their luck. */
  private readonly active = new Map<string, number>();

  constructor(private readonly redis: Redis | Cluster) {}

  /** Subscribe (once per channel) before the first attempt, so no wake-up is missed. */
  async listen(channel: string): Promise<void> {
    let pending = this.subscribed.get(channel);
    if (pending === undefined) {
      if (this.subscriber === undefined) {
        // A subscribed connection can run nothing else: a dedicated one, opened lazily. While
        // it reconnects, waiters fall back to their periodic retry.
        this.subscriber = shardedSubscriber(this.redis);
        this.subscriber.on('smessage', (ch: string) => this.onMessage(ch));
      }
      pending = this.subscriber.ssubscribe(channel);
      this.subscribed.set(channel, pending);
    }
    await pending;
  }

  /** A caller of this process is already waiting on this channel: newcomers queue behind. */
  hasWaiters(channel: string): boolean {
    return (this.active.get(channel) ?? 0) > 0;
  }

  enter(channel: string): void {
    this.active.set(channel, (this.active.get(channel) ?? 0) + 1);
  }

  leave(channel: string): void {
    const left = (this.active.get(channel) ?? 1) - 1;
    if (left > 0) this.active.set(channel, left);
    else this.active.delete(channel);
  }

  /** Changes whenever a wake-up arrives: compare before and after an attempt. */
  generation(channel: string): number {
    return this.generations.get(channel) ?? 0;
  }

  /**
   * Wait in line until woken, `timeoutMs` passes or `signal` aborts; `since` keeps the caller's
   * place. A waiter that gave up leaves the line, so no wake-up is spent on it.
   */
  wait(channel: string, since: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const queue = this.queues.get(channel) ?? [];
      this.queues.set(channel, queue);
      const waiter: Waiter = {
        since,
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', giveUp);
          resolve();
        },
      };
      const giveUp = () => {
        const at = queue.indexOf(waiter);
        if (at !== -1) queue.splice(at, 1);
        waiter.wake();
      };
      const timer = setTimeout(giveUp, timeoutMs);
      if (signal?.aborted) giveUp();
      else signal?.addEventListener('abort', giveUp, { once: true });
      let at = queue.length;
      while (at > 0 && (queue[at - 1] as Waiter).since > since) at--;
      queue.splice(at, 0, waiter);
    });
  }

  async close(): Promise<void> {
    for (const queue of this.queues.values()) for (const waiter of queue.splice(0)) waiter.wake();
    if (this.subscriber !== undefined) {
      const subscriber = this.subscriber;
      this.subscriber = undefined;
      await closeRedis(subscriber);
    }
  }

  private onMessage(channel: string): void {
    this.generations.set(channel, this.generation(channel) + 1);
    this.queues.get(channel)?.shift()?.wake();
  }
}

/**
 * A connection for SSUBSCRIBE. A sharded channel must be subscribed on the node that owns its
 * slot: a Cluster copy with `shardedSubscribers` keeps one subscriber per shard and sends
 * each SSUBSCRIBE to the owner of the channel's slot (following MOVED after a resharding).
 */
function shardedSubscriber(redis: Redis | Cluster): Redis | Cluster {
  // `isCluster` rather than instanceof: the caller's ioredis may be another copy.
  if (!redis.isCluster) return duplicateConnections(redis, 1)[0] as Redis;
  const copy = (redis as Cluster).duplicate([], { shardedSubscribers: true });
  // Waiters survive a lost wake-up (periodic retry) and reconnects are automatic.
  copy.on('error', () => {});
  return copy;
}
