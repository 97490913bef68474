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
/** A filtered page reads at most this many batches of candidates, then offers `next`. */
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
    const { found, next } = await this.walk(pool, query);
    const [rows, lastErrors] = await Promise.all([this.rows(pool, found), this.lastErrors(pool)]);
    return {
      status: query.status,
      limit: query.limit,
      proxies: rows.map((row) => ({ ...row, lastError: lastErrors.get(row.id) ?? null })),
      next,
    };
  }

  /**
   * From the cursor in batches of limit + 1 (the extra one says whether more follow), until
   * `limit` proxies match, the index ends, or SCAN_PAGES batches were read.
   */
  private async walk(pool: string, { status, limit, after: start }: ProxyPageQuery) {
    const keys = this.manager.keys.poolKeys(pool);
    const indexes =
      status === 'all' ? [keys.availableByOrder, keys.unavailable] : [keys.unavailable];
    const found: ProxyState[] = [];
    let after = start ?? -1;
    for (let batches = 0; batches < SCAN_PAGES; batches++) {
      const batch = await this.idsAfter(indexes, after, limit + 1);
      const states = await Promise.all(batch.map(([id]) => this.state(pool, id)));
      for (const [i, [, order]] of batch.entries()) {
        if (found.length === limit) return { found, next: after };
        after = order;
        const state = states[i];
        if (state !== undefined && MATCHES[status](state)) found.push(state);
      }
      if (batch.length <= limit) return { found, next: null };
    }
    return { found, next: after };
  }

  /** Each proxy's last failure in the newest error-log entries, described. */
  private async lastErrors(pool: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    // Newest first: the first failure seen per proxy is its last error.
    for (const entry of await this.manager.getErrorLog(pool, { limit: LAST_ERRORS_READ }))
      if (entry.type === 'failure' && entry.proxyId && !out.has(entry.proxyId))
        out.set(entry.proxyId, describeError(entry));
    return out;
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

  private async rows(pool: string, found: ProxyState[]) {
    // The URL is the proxy hash's `url` field (documented key layout); shown redacted only.
    const urls = this.redis.pipeline();
    for (const { proxyId } of found) urls.hget(this.manager.keys.proxy(pool, proxyId), 'url');
    const [urlReplies, health] = await Promise.all([
      urls.exec(),
      Promise.all(
        found.map(({ proxyId }) => unlessRemoved(this.manager.getProxyHealth(pool, proxyId))),
      ),
    ]);
    return found.map((state, i) =>
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

function describeError(err: ErrorLogEntry): string {
  return `${err.category ?? 'error'}${err.statusCode ? ` ${err.statusCode}` : ''}${err.message ? `: ${err.message}` : ''}`;
}
