import {
  LABEL_NAMES,
  type LabelName,
  type ProxyLabels,
  type ProxyProtocol,
  redactProxyUrl,
} from '@leasehold/core';
import type { Lease, LeasedProxy, PoolStats, ProxyRecord } from './types.js';

/** Turning Lua replies (flat arrays) into the public types. */

export function hashFromFlat(flat: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const items = flat as string[];
  for (let i = 0; i + 1 < items.length; i += 2) out[items[i] as string] = items[i + 1] as string;
  return out;
}

export function statsFromReply(reply: unknown): PoolStats | undefined {
  const s = reply as number[];
  if (!Array.isArray(s) || s.length < 5) return undefined;
  return {
    totalProxies: Number(s[0]),
    activeProxies: Number(s[1]),
    availableProxies: Number(s[2]),
    leasedProxies: Number(s[3]),
    totalLeases: Number(s[4]),
  };
}

function labelsAndTags(hash: Record<string, string>): { labels: ProxyLabels; tags: string[] } {
  const labels: ProxyLabels = {};
  const tags: string[] = [];
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('label:')) {
      const name = field.slice(6) as LabelName;
      if ((LABEL_NAMES as readonly string[]).includes(name)) labels[name] = value;
    } else if (field.startsWith('tag:')) {
      tags.push(field.slice(4));
    }
  }
  return { labels, tags: tags.sort() };
}

function credentials(hash: Record<string, string>): { username?: string; password?: string } {
  return {
    ...(hash.username === undefined ? {} : { username: hash.username }),
    ...(hash.password === undefined ? {} : { password: hash.password }),
  };
}

export function leasedProxyFromHash(hash: Record<string, string>): LeasedProxy {
  return {
    url: hash.url as string,
    protocol: hash.protocol as ProxyProtocol,
    host: hash.host as string,
    port: Number(hash.port),
    ...credentials(hash),
    ...labelsAndTags(hash),
  };
}

/** `{ 1, stats, leaseId, proxyId, token, acquiredAt, expiresAt, proxyHashFlat }` */
export function leaseFromReply(pool: string, consumer: string, reply: unknown[]): Lease {
  const hash = hashFromFlat(reply[7]);
  return {
    id: String(reply[2]),
    pool,
    proxyId: String(reply[3]),
    proxy: leasedProxyFromHash(hash),
    consumer,
    acquiredAt: Number(reply[5]),
    expiresAt: Number(reply[6]),
    fencingToken: Number(reply[4]),
  };
}

export function proxyRecordFromHash(
  pool: string,
  hash: Record<string, string>,
  includeCredentials: boolean,
): ProxyRecord {
  const cap = Number(hash.maxConcurrency ?? 0);
  const url = hash.url as string;
  return {
    id: hash.id as string,
    pool,
    url: includeCredentials ? url : redactProxyUrl(url),
    protocol: hash.protocol as ProxyProtocol,
    host: hash.host as string,
    port: Number(hash.port),
    ...(includeCredentials ? credentials(hash) : {}),
    ...labelsAndTags(hash),
    maxConcurrency: cap > 0 ? cap : undefined,
    status: hash.status === 'disabled' ? 'disabled' : 'active',
    activeLeases: Number(hash.activeLeases ?? 0),
    addedAt: Number(hash.addedAt ?? 0),
  };
}
