/**
 * The Redis key schema. Every key of a pool carries the hash tag `{<pool>}` so that one
 * script only ever touches one cluster slot. Names say what a key is for.
 *
 *   <prefix>:pools                          set    names of all pools (no hash tag)
 *   <prefix>:{<pool>}:pool                  hash   settings and live counters of the pool
 *   <prefix>:{<pool>}:unavailable           zset   proxies not leasable now, by insertion order
 *   <prefix>:{<pool>}:available:byOrder     zset   leasable proxies by insertion order
 *   <prefix>:{<pool>}:available:byLastUse   zset   leasable proxies by last-use sequence
 *   <prefix>:{<pool>}:available:byLoad      zset   leasable proxies by live lease count
 *   <prefix>:{<pool>}:available:byHealth    zset   leasable proxies by -health score
 *   <prefix>:{<pool>}:available:byLatency   zset   leasable proxies by mean latency (ms)
 *   <prefix>:{<pool>}:leaseDeadlines        zset   "<proxyId>:<leaseId>" by expiry (ms)
 *   <prefix>:{<pool>}:leases                hash   leaseId -> acquiredAt|token|scope|sessionId|consumer
 *   <prefix>:{<pool>}:cooldowns             zset   proxies with an open circuit or a rest, by due time
 *   <prefix>:{<pool>}:errorLog              stream failures, transitions, expiries (capped)
 *   <prefix>:{<pool>}:samples               stream the worker's point every few seconds (capped)
 *   <prefix>:{<pool>}:sessions              zset   live sessions by creation time
 *   <prefix>:{<pool>}:idleSessions          zset   live sessions without a lease, by last use
 *   <prefix>:{<pool>}:proxy:<id>            hash   one proxy: url, labels, state, health counters
 *   <prefix>:{<pool>}:session:<id>          hash   one session: proxy, status, data, usage (has a TTL)
 *   <prefix>:{<pool>}:proxySessions:<id>    set    live sessions bound to a proxy
 *   <prefix>:{<pool>}:label:<name>:<value>  set    proxy ids carrying that label value (a name
 *                                                  never has ':', so no two pairs share a key)
 *   <prefix>:{<pool>}:locations             geo    proxies with a location (GEOSEARCH for `near`)
 *   <prefix>:{<pool>}:tag:<tag>             set    proxy ids carrying that tag
 *   <prefix>:{<pool>}:scope:<scope>:rest    zset   proxies resting for that scope, by end (TTL)
 *   <prefix>:{<pool>}:scope:<scope>:load    hash   live leases per proxy under that scope (TTL)
 */

export const DEFAULT_PREFIX = 'lh';

/** Fixed per-pool keys, by the names the Lua headers use for them. */
export interface PoolKeys {
  pool: string;
  unavailable: string;
  availableByOrder: string;
  availableByLastUse: string;
  availableByLoad: string;
  availableByHealth: string;
  availableByLatency: string;
  leaseDeadlines: string;
  cooldowns: string;
  errorLog: string;
  sessions: string;
  idleSessions: string;
  leases: string;
}

export type PoolKeyName = keyof PoolKeys;

export const POOL_KEY_NAMES: readonly PoolKeyName[] = [
  'pool',
  'unavailable',
  'availableByOrder',
  'availableByLastUse',
  'availableByLoad',
  'availableByHealth',
  'availableByLatency',
  'leaseDeadlines',
  'cooldowns',
  'errorLog',
  'sessions',
  'idleSessions',
  'leases',
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
      unavailable: `${p}unavailable`,
      availableByOrder: `${p}available:byOrder`,
      availableByLastUse: `${p}available:byLastUse`,
      availableByLoad: `${p}available:byLoad`,
      availableByHealth: `${p}available:byHealth`,
      availableByLatency: `${p}available:byLatency`,
      leaseDeadlines: `${p}leaseDeadlines`,
      cooldowns: `${p}cooldowns`,
      errorLog: `${p}errorLog`,
      sessions: `${p}sessions`,
      idleSessions: `${p}idleSessions`,
      leases: `${p}leases`,
    };
  }

  /** The worker's capped series of pool samples; the dashboard's charts read it. */
  samples(pool: string): string {
    return `${this.poolPrefix(pool)}samples`;
  }

  proxy(pool: string, proxyId: string): string {
    return `${this.poolPrefix(pool)}proxy:${proxyId}`;
  }

  session(pool: string, sessionId: string): string {
    return `${this.poolPrefix(pool)}session:${sessionId}`;
  }

  scopeRest(pool: string, scope: string): string {
    return `${this.poolPrefix(pool)}scope:${scope}:rest`;
  }

  label(pool: string, name: string, value: string): string {
    return `${this.poolPrefix(pool)}${labelSetSuffix(name, value)}`;
  }

  tag(pool: string, tag: string): string {
    return `${this.poolPrefix(pool)}${tagSetSuffix(tag)}`;
  }

  /** The pool's geo index of proxy locations (derived from the prefix in Lua, like label sets). */
  locations(pool: string): string {
    return `${this.poolPrefix(pool)}locations`;
  }
}

/** Key suffixes shared with the Lua side (which prepends the pool prefix). */
export function labelSetSuffix(name: string, value: string): string {
  return `label:${name}:${value}`;
}

export function tagSetSuffix(tag: string): string {
  return `tag:${tag}`;
}
