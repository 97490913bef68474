/**
 * The Redis key schema. Every key of a pool carries the hash tag `{<pool>}` so that one
 * script only ever touches one cluster slot. Names say what a key is for.
 *
 *   <prefix>:pools                          set    names of all pools (no hash tag)
 *   <prefix>:{<pool>}:pool                  hash   settings and live counters of the pool
 *   <prefix>:{<pool>}:proxies               zset   every proxy id, scored by insertion order
 *   <prefix>:{<pool>}:available:byOrder     zset   leasable proxies by insertion order
 *   <prefix>:{<pool>}:available:byLastUse   zset   leasable proxies by last-use sequence
 *   <prefix>:{<pool>}:available:byLoad      zset   leasable proxies by live lease count
 *   <prefix>:{<pool>}:leaseDeadlines        zset   "<proxyId>:<leaseId>" by expiry (ms)
 *   <prefix>:{<pool>}:proxy:<id>            hash   one proxy: url, labels, state, counters
 *   <prefix>:{<pool>}:lease:<leaseId>       hash   one live lease (has a TTL)
 *   <prefix>:{<pool>}:label:<name>:<value>  set    proxy ids carrying that label value
 *   <prefix>:{<pool>}:tag:<tag>             set    proxy ids carrying that tag
 */

export const DEFAULT_PREFIX = 'lh';

/** Fixed per-pool keys, by the names the Lua headers use for them. */
export interface PoolKeys {
  pool: string;
  proxies: string;
  availableByOrder: string;
  availableByLastUse: string;
  availableByLoad: string;
  leaseDeadlines: string;
}

export type PoolKeyName = keyof PoolKeys;

export const POOL_KEY_NAMES: readonly PoolKeyName[] = [
  'pool',
  'proxies',
  'availableByOrder',
  'availableByLastUse',
  'availableByLoad',
  'leaseDeadlines',
];

export class KeySchema {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_PREFIX) {
    this.prefix = prefix;
  }

  /** Set of every pool name; the only key without a pool hash tag. */
  pools(): string {
    return `${this.prefix}:pools`;
  }

  /** Prefix of every key of one pool; scripts derive per-proxy and per-lease keys from it. */
  poolPrefix(pool: string): string {
    return `${this.prefix}:{${pool}}:`;
  }

  poolKeys(pool: string): PoolKeys {
    const p = this.poolPrefix(pool);
    return {
      pool: `${p}pool`,
      proxies: `${p}proxies`,
      availableByOrder: `${p}available:byOrder`,
      availableByLastUse: `${p}available:byLastUse`,
      availableByLoad: `${p}available:byLoad`,
      leaseDeadlines: `${p}leaseDeadlines`,
    };
  }

  proxy(pool: string, proxyId: string): string {
    return `${this.poolPrefix(pool)}proxy:${proxyId}`;
  }

  lease(pool: string, leaseId: string): string {
    return `${this.poolPrefix(pool)}lease:${leaseId}`;
  }

  label(pool: string, name: string, value: string): string {
    return `${this.poolPrefix(pool)}${labelSetSuffix(name, value)}`;
  }

  tag(pool: string, tag: string): string {
    return `${this.poolPrefix(pool)}${tagSetSuffix(tag)}`;
  }
}

/** Key suffixes shared with the Lua side (which prepends the pool prefix). */
export function labelSetSuffix(name: string, value: string): string {
  return `label:${name}:${value}`;
}

export function tagSetSuffix(tag: string): string {
  return `tag:${tag}`;
}
