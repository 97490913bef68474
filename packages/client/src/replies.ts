import {
  ERROR_CATEGORIES,
  type ErrorCategory,
  fillGatewayUrl,
  type GatewayTemplate,
  gatewayTemplateOf,
  LABEL_NAMES,
  type ParsedProxyUrl,
  type ProxyLabels,
  type ProxyLocation,
  parseProxyUrl,
  redactProxyUrl,
} from '@leasehold/core';
import type {
  CircuitState,
  ErrorLogEntry,
  Lease,
  LeasedProxy,
  PoolCounters,
  PoolStats,
  ProxyHealth,
  ProxyRecord,
  ProxyState,
  SessionState,
} from './types.js';

/** Turning Lua replies (flat arrays) into the public types. */

export function hashFromFlat(flat: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const items = flat as string[];
  for (let i = 0; i + 1 < items.length; i += 2) out[items[i] as string] = items[i + 1] as string;
  return out;
}

export function statsFromReply(reply: unknown): PoolStats | undefined {
  const s = reply as number[];
  if (!Array.isArray(s) || s.length < 7) return undefined;
  return {
    totalProxies: Number(s[0]),
    activeProxies: Number(s[1]),
    availableProxies: Number(s[2]),
    leasedProxies: Number(s[3]),
    totalLeases: Number(s[4]),
    openCircuits: Number(s[5]),
    liveSessions: Number(s[6]),
  };
}

function labelsAndTags(hash: Record<string, string>): { labels: ProxyLabels; tags: string[] } {
  const labels: ProxyLabels = {};
  const tags: string[] = [];
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('label:')) {
      labels[field.slice(6)] = value;
    } else if (field.startsWith('tag:')) {
      tags.push(field.slice(4));
    }
  }
  return { labels, tags: tags.sort() };
}

function locationOf(hash: Record<string, string>): { location?: ProxyLocation } {
  if (hash.latitude === undefined || hash.longitude === undefined) return {};
  return { location: { latitude: Number(hash.latitude), longitude: Number(hash.longitude) } };
}

/**
 * Protocol, host, port and decoded credentials, from the stored (normalised) URL: the record
 * keeps only the URL, which is the proxy's identity anyway.
 */
function urlParts(url: string | ParsedProxyUrl, includeCredentials: boolean) {
  const parsed = typeof url === 'string' ? parseProxyUrl(url) : url;
  return {
    protocol: parsed.protocol,
    host: parsed.host,
    port: parsed.port,
    ...(includeCredentials && parsed.username !== undefined ? { username: parsed.username } : {}),
    ...(includeCredentials && parsed.password !== undefined ? { password: parsed.password } : {}),
  };
}

/**
 * `values` = the leasedProxy HMGET of lua/acquireLease-13.lua: url, tags, LABEL_NAMES, then
 * `moreLabels` (JSON of the other labels; absent on proxies stored before any name was allowed).
 * A gateway URL's `{session}` is filled with the token of `gatewayKey` (the session id, or the
 * lease id for a lease without session), so the template itself is never handed out.
 */
function leasedProxyFromReply(values: (string | null)[], gatewayKey: string): LeasedProxy {
  const stored = values[0] as string;
  const tags = values[1];
  const labels: ProxyLabels = {};
  LABEL_NAMES.forEach((name, i) => {
    const value = values[2 + i];
    if (value !== null && value !== undefined) labels[name] = value;
  });
  const moreLabels = values[2 + LABEL_NAMES.length];
  if (moreLabels) Object.assign(labels, JSON.parse(moreLabels) as ProxyLabels);
  const parsed = parseProxyUrl(stored);
  // A normalised URL has its braces percent-encoded: no `%7B`, no placeholder to fill.
  const gateway = stored.includes('%7B') ? fillGatewayUrl(parsed, gatewayKey) : undefined;
  return {
    url: gateway?.url ?? stored,
    ...urlParts(gateway === undefined ? parsed : { ...parsed, ...gateway }, true),
    ...(gateway === undefined ? {} : { gatewaySession: gateway.token }),
    labels,
    tags: tags ? tags.split(',').sort() : [],
  };
}

/** `{ 1, stats, leaseId, proxyId, token, acquiredAt, expiresAt, leasedProxy, session }` */
export function leaseFromReply(
  pool: string,
  consumer: string,
  scope: string | undefined,
  reply: unknown[],
): Lease {
  const session = reply[8] as string[] | undefined;
  const leaseId = String(reply[2]);
  const sessionId = session && session.length === 2 ? String(session[0]) : undefined;
  return {
    id: leaseId,
    pool,
    proxyId: String(reply[3]),
    proxy: leasedProxyFromReply(reply[7] as (string | null)[], sessionId ?? leaseId),
    consumer,
    acquiredAt: Number(reply[5]),
    expiresAt: Number(reply[6]),
    fencingToken: Number(reply[4]),
    ...(session && session.length === 2
      ? { session: { id: String(session[0]), data: String(session[1]) } }
      : {}),
    ...(scope === undefined ? {} : { scope }),
  };
}

/** Where a gateway proxy takes its session token; says nothing of the credentials. */
function gatewayOf(url: string): { gateway?: GatewayTemplate } {
  const template = gatewayTemplateOf(url);
  return template === undefined ? {} : { gateway: template };
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
    ...urlParts(url, includeCredentials),
    ...gatewayOf(url),
    ...labelsAndTags(hash),
    ...locationOf(hash),
    maxConcurrency: cap > 0 ? cap : undefined,
    status: hash.status === 'disabled' ? 'disabled' : 'active',
    activeLeases: Number(hash.activeLeases ?? 0),
    addedAt: Number(hash.addedAt ?? 0),
  };
}

const num = (value: string | undefined): number => Number(value ?? 0);
const timeOrNull = (value: string | undefined): number | null =>
  value === undefined || value === '' ? null : Number(value);

export function proxyStateFromHash(hash: Record<string, string>, now: number): ProxyState {
  const cap = num(hash.maxConcurrency);
  const restUntil = timeOrNull(hash.rateLimitedUntil);
  const delayUntil = timeOrNull(hash.reuseDelayUntil);
  return {
    proxyId: hash.id as string,
    status: hash.status === 'disabled' ? 'disabled' : 'active',
    circuit: (hash.circuit ?? 'closed') as CircuitState,
    consecutiveFailures: num(hash.consecutiveFailures),
    opens: num(hash.opens),
    activeLeases: num(hash.activeLeases),
    maxConcurrency: cap > 0 ? cap : undefined,
    ...labelsAndTags(hash),
    ...locationOf(hash),
    rateLimitedUntil: restUntil !== null && restUntil > now ? restUntil : null,
    reuseDelayUntil: delayUntil !== null && delayUntil > now ? delayUntil : null,
    cooldownUntil: hash.circuit === 'open' ? timeOrNull(hash.cooldownUntil) : null,
    probeInFlight: hash.probeLeaseId !== undefined,
    benched: hash.bench !== undefined,
    benchReason: hash.bench === undefined ? null : (hash.benchReason ?? null),
    benchedUntil: hash.bench === 'benched' ? timeOrNull(hash.benchedUntil) : null,
    usageCount: num(hash.usageCount),
    lastLeasedAt: timeOrNull(hash.lastLeasedAt),
  };
}

/** Upper bounds (ms) of the latency histogram buckets kept in Lua (lua/includes/health.lua). */
const LATENCY_BOUNDS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

function latencyPercentile(
  hash: Record<string, string>,
  samples: number,
  q: number,
): number | null {
  if (samples === 0) return null;
  let seen = 0;
  for (const bound of LATENCY_BOUNDS_MS) {
    seen += num(hash[`lat:${bound}`]);
    if (seen >= q * samples) return bound;
  }
  return Number.POSITIVE_INFINITY;
}

export function proxyHealthFromHash(hash: Record<string, string>, score: number): ProxyHealth {
  const successes = num(hash.successes);
  const failures = num(hash.failures);
  const samples = num(hash.latencyCount);
  const failuresByCategory: Partial<Record<ErrorCategory, number>> = {};
  for (const category of ERROR_CATEGORIES) {
    const count = num(hash[`fail:${category}`]);
    if (count > 0) failuresByCategory[category] = count;
  }
  return {
    proxyId: hash.id as string,
    status: hash.status === 'disabled' ? 'disabled' : 'active',
    circuit: (hash.circuit ?? 'closed') as CircuitState,
    requests: num(hash.requests),
    successes,
    failures,
    failuresByCategory,
    rateLimits: num(hash.rateLimits),
    consecutiveFailures: num(hash.consecutiveFailures),
    successRate: successes + failures === 0 ? null : successes / (successes + failures),
    latency: {
      samples,
      meanMs: samples === 0 ? null : num(hash.latencySumMs) / samples,
      p50Ms: latencyPercentile(hash, samples, 0.5),
      p95Ms: latencyPercentile(hash, samples, 0.95),
    },
    lastSuccessAt: timeOrNull(hash.lastSuccessAt),
    lastFailureAt: timeOrNull(hash.lastFailureAt),
    usageCount: num(hash.usageCount),
    score,
  };
}

export function sessionStateFromHash(hash: Record<string, string>): SessionState {
  return {
    id: hash.id as string,
    proxyId: hash.proxyId as string,
    status: hash.status === 'active' ? 'active' : 'disabled',
    disabledReason: hash.disabledReason ?? null,
    data: hash.data ?? '',
    usageCount: num(hash.usageCount),
    consecutiveFailures: num(hash.consecutiveFailures),
    createdAt: num(hash.createdAt),
    lastUsedAt: num(hash.lastUsedAt),
    leased: hash.leaseId !== undefined,
  };
}

const NUMERIC_LOG_FIELDS = new Set(['at', 'statusCode', 'latencyMs']);

/** An error-log stream entry (id and flat fields, as XRANGE/XREAD answer) as getErrorLog returns it. */
export function errorLogEntryFromStream(id: string, flat: string[]): ErrorLogEntry {
  const entry: Record<string, string | number> = { id };
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i] as string;
    const value = flat[i + 1] as string;
    entry[field] = NUMERIC_LOG_FIELDS.has(field) ? Number(value) : value;
  }
  if (entry.probe !== undefined) (entry as Record<string, unknown>).probe = true;
  return entry as unknown as ErrorLogEntry;
}

export function poolCountersFromHash(hash: Record<string, string>): PoolCounters {
  const failures: Partial<Record<ErrorCategory, number>> = {};
  for (const category of ERROR_CATEGORIES) {
    const count = num(hash[`stat:failures:${category}`]);
    if (count > 0) failures[category] = count;
  }
  return {
    selections: num(hash['stat:selections']),
    successes: num(hash['stat:successes']),
    failures,
    circuitOpens: num(hash['stat:circuitOpens']),
    leasesExpired: num(hash['stat:leasesExpired']),
    latency: {
      sumMs: num(hash['stat:latencySumMs']),
      count: num(hash['stat:latencyCount']),
      buckets: [...LATENCY_BOUNDS_MS, Number.POSITIVE_INFINITY].map((leMs) => ({
        leMs,
        count: num(hash[`stat:lat:${Number.isFinite(leMs) ? leMs : 'inf'}`]),
      })),
    },
  };
}
