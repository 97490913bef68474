import {
  type ErrorLogEntry,
  type ProxyManager,
  ProxyNotFoundError,
  type ProxyState,
} from '@leasehold/client';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { type ProxyRow, proxyRow } from './proxyRow.js';

/** Which proxies a page lists: all, or only the ones an operator goes looking for. */
const PROXY_FILTERS = ['all', 'disabled', 'open'] as const;
export type ProxyFilter = (typeof PROXY_FILTERS)[number];

export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;
/** A filtered page reads at most this many pages' worth of candidates, then offers "next". */
const SCAN_PAGES = 4;
/** Newest error-log entries read for the rows' "last error" column. */
const LAST_ERRORS_READ = 1000;

const blank = (v: unknown) => (v === '' ? undefined : v);
export const ProxyPageQuerySchema = z.object({
  status: z.preprocess(blank, z.enum(PROXY_FILTERS).default('all')),
  /** Cursor: the insertion order of the previous page's last proxy (exclusive). */
  after: z.preprocess(
    blank,
    z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  ),
  limit: z.preprocess(
    blank,
    z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  ),
});
export type ProxyPageQuery = z.output<typeof ProxyPageQuerySchema>;

export interface ProxyPage {
  status: ProxyFilter;
  limit: number;
  proxies: ProxyRow[];
  /** `after` of the next page, or null on the last one. */
  next: number | null;
}

type Candidate = [id: string, order: number];

const MATCHES: Record<ProxyFilter, (state: ProxyState) => boolean> = {
  all: () => true,
  disabled: (s) => s.status === 'disabled',
  open: (s) => s.circuit === 'open',
};

/**
 * One page of a pool's proxies in insertion order, its work bounded by the page size
 * whatever the pool's size: a cursor into the pool's by-insertion-order indexes (never an
 * offset), then two reads per row. Disabled proxies and open circuits are never leasable, so
 * their filters walk only the `unavailable` index.
 */
export class ProxyPages {
  constructor(
    private readonly manager: ProxyManager,
    private readonly redis: Redis | Cluster,
  ) {}

  async read(pool: string, query: ProxyPageQuery): Promise<ProxyPage> {
    const { status, limit } = query;
    const keys = this.manager.keys.poolKeys(pool);
    const indexes =
      status === 'all' ? [keys.availableByOrder, keys.unavailable] : [keys.unavailable];
    const found: { id: string; order: number; state: ProxyState }[] = [];
    let after = query.after ?? -1;
    let next: number | null = null;
    for (let scanned = 0; ; ) {
      const batch = await this.idsAfter(indexes, after, limit + 1);
      const states = await Promise.all(batch.map(([id]) => this.state(pool, id)));
      for (const [i, [id, order]] of batch.entries()) {
        const state = states[i];
        if (found.length === limit) {
          next = after;
          break;
        }
        after = order;
        if (state !== undefined && MATCHES[status](state)) found.push({ id, order, state });
      }
      scanned += batch.length;
      if (next !== null || batch.length <= limit) break;
      if (scanned >= SCAN_PAGES * limit) {
        next = after;
        break;
      }
    }
    const [rows, log] = await Promise.all([
      this.rows(pool, found),
      this.manager.getErrorLog(pool, { limit: LAST_ERRORS_READ }),
    ]);
    const lastError = new Map<string, ErrorLogEntry>();
    // Newest first: the first failure seen per proxy is its last error.
    for (const entry of log)
      if (entry.type === 'failure' && entry.proxyId && !lastError.has(entry.proxyId))
        lastError.set(entry.proxyId, entry);
    return {
      status,
      limit,
      proxies: rows.map((row) => ({ ...row, lastError: describeError(lastError.get(row.id)) })),
      next,
    };
  }

  /** The next `count` ids after insertion order `after`, merged over `indexes`. */
  private async idsAfter(indexes: string[], after: number, count: number): Promise<Candidate[]> {
    const pipeline = this.redis.pipeline();
    for (const key of indexes)
      pipeline.zrangebyscore(key, `(${after}`, '+inf', 'WITHSCORES', 'LIMIT', 0, count);
    const merged: Candidate[] = [];
    for (const [error, flat] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const items = flat as string[];
      for (let i = 0; i + 1 < items.length; i += 2)
        merged.push([items[i] as string, Number(items[i + 1])]);
    }
    return merged.sort((a, b) => a[1] - b[1]).slice(0, count);
  }

  private state(pool: string, id: string): Promise<ProxyState | undefined> {
    return unlessRemoved(this.manager.getProxyState(pool, id));
  }

  private async rows(pool: string, found: { id: string; state: ProxyState }[]) {
    // The URL is the proxy hash's `url` field (documented key layout); shown redacted only.
    const urls = this.redis.pipeline();
    for (const { id } of found) urls.hget(this.manager.keys.proxy(pool, id), 'url');
    const [urlReplies, health] = await Promise.all([
      urls.exec(),
      Promise.all(found.map(({ id }) => unlessRemoved(this.manager.getProxyHealth(pool, id)))),
    ]);
    return found.map(({ state }, i) =>
      proxyRow(state, health[i], (urlReplies?.[i]?.[1] as string | null) ?? ''),
    );
  }
}

/** Undefined for a proxy removed since its id was read (a page is not one snapshot). */
async function unlessRemoved<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ProxyNotFoundError) return undefined;
    throw error;
  }
}

function describeError(err: ErrorLogEntry | undefined): string | null {
  if (err === undefined) return null;
  return `${err.category ?? 'error'}${err.statusCode ? ` ${err.statusCode}` : ''}${err.message ? `: ${err.message}` : ''}`;
}
