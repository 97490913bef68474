import { setTimeout as sleep } from 'node:timers/promises';
import { type ErrorLogEntry, errorLogEntryFromStream, PoolNotFoundError } from '@leasehold/client';
import type { Cli } from '../runner/cli.js';

/** Stream entries per XREAD: a burst is read in bounded batches, one after another. */
const BATCH = 500;
/** How long an idle follow waits before reading again. */
const POLL_MS = 500;

export interface FollowOptions {
  proxyId?: string;
  sessionId?: string;
  /** Recent entries printed first. */
  limit: number;
  /** Stop after this long (else at SIGINT/SIGTERM). */
  forSeconds?: number;
}

/** Stream ids (`<ms>-<seq>`) in order. */
function isAfter(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am > bm || (am === bm && as > bs);
}

/**
 * `errors --follow`: the recent entries, a line on stderr, then every entry added after them,
 * read from the pool's stream by id (XREAD after the last one seen), so a burst is printed
 * whole and nothing twice, until Ctrl-C, SIGTERM or --for seconds.
 */
export async function followErrorLog(
  cli: Cli,
  pool: string,
  options: FollowOptions,
  print: (entry: ErrorLogEntry) => void,
): Promise<void> {
  const manager = cli.manager();
  if ((await manager.getPool(pool)) === null) throw new PoolNotFoundError(pool);
  const key = manager.keys.poolKeys(pool).errorLog;
  const redis = cli.redis();
  const matches = (e: ErrorLogEntry) =>
    (options.proxyId === undefined || e.proxyId === options.proxyId) &&
    (options.sessionId === undefined || e.sessionId === options.sessionId);
  // The newest id before the recent window is read: what comes after it is followed.
  const [newest] = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
  let last = newest?.[0] ?? '0-0';
  const { forSeconds, limit, ...filter } = options;
  const recent = await manager.getErrorLog(pool, { ...filter, limit });
  for (const e of recent.reverse()) if (!isAfter(e.id, last)) print(e);
  cli.io.stderr.write(`following ${pool}'s error log (Ctrl-C stops)\n`);
  await cli.untilStopped(async (stopped) => {
    const stop =
      forSeconds === undefined
        ? stopped
        : AbortSignal.any([stopped, AbortSignal.timeout(forSeconds * 1000)]);
    while (!stop.aborted) {
      const reply = (await redis.xread('COUNT', BATCH, 'STREAMS', key, last)) as
        | [string, [string, string[]][]][]
        | null;
      const entries = reply?.[0]?.[1] ?? [];
      for (const raw of entries) {
        last = raw[0];
        const entry = errorLogEntryFromStream(raw[0], raw[1]);
        if (matches(entry)) print(entry);
      }
      if (entries.length < BATCH) await sleep(POLL_MS, undefined, { signal: stop }).catch(() => {});
    }
  });
}
