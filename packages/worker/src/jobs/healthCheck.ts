import type { HealthCheckResult, HealthCheckTarget, ProxyManager } from '@leasehold/client';
import { classifyOutcome } from '@leasehold/core';
import { fetch, proxyDispatcher } from '@leasehold/http';
import { eachPool, type JobReport, noReport } from './eachPool.js';

/** Probes in flight at once, per pool: a sweep of many dead proxies must not open hundreds of sockets. */
const PROBE_CONCURRENCY = 8;
/** Proxies claimed per pool per run; the rest are probed by the next runs. */
const CLAIM_LIMIT = 100;

export interface HealthCheckSummary {
  /** Pools with a `healthCheck` setting. */
  pools: number;
  probed: number;
  /** Probes that passed: their proxies are back in rotation. */
  passed: number;
  failed: number;
}

export interface HealthCheckOptions {
  /** TLS options for the probes (a private CA in tests); system CAs otherwise. */
  tls?: { ca?: string };
}

/**
 * The `health-check` job: in every pool with `healthCheck`, probe its open-circuit and benched
 * proxies through the proxy itself (GET healthCheck.url), each at most once per interval
 * (claimed in Redis, so replicas never double-probe). A pass closes the circuit / unbenches
 * at once; a failure keeps the proxy out. Nothing here logs a proxy URL or credentials.
 */
export async function runHealthChecks(
  manager: ProxyManager,
  report: JobReport = noReport,
  options: HealthCheckOptions = {},
): Promise<HealthCheckSummary> {
  const summary: HealthCheckSummary = { pools: 0, probed: 0, passed: 0, failed: 0 };
  const pools = await manager.listPools();
  await eachPool('health-check', pools, async (pool) => {
    const check = (await manager.getPool(pool))?.healthCheck;
    if (check === undefined || check === null) return;
    summary.pools += 1;
    const targets = await manager.claimHealthChecks(pool, {
      intervalSeconds: check.intervalSeconds,
      limit: CLAIM_LIMIT,
    });
    const request = probeRequest(check.url);
    let passed = 0;
    await forEachBounded(targets, PROBE_CONCURRENCY, async (target) => {
      const result = await probe(target, request, check.timeoutSeconds, options);
      await manager.recordHealthCheck(pool, target.proxyId, result);
      if (result.ok) passed += 1;
    });
    summary.probed += targets.length;
    summary.passed += passed;
    summary.failed += targets.length - passed;
    if (targets.length > 0) {
      await report(
        `${pool}: ${targets.length} probed, ${passed} back in rotation, ${targets.length - passed} kept out`,
      );
    }
  });
  return summary;
}

interface ProbeRequest {
  url: string;
  headers: Record<string, string>;
}

/**
 * fetch refuses a URL that carries credentials (a TypeError before any byte is sent), so the
 * URL's userinfo travels as `Authorization: Basic` instead, as a browser would send it.
 */
function probeRequest(url: string): ProbeRequest {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url, headers: {} };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.href,
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
  };
}

/** One GET through the proxy; any answer the scraper's classification calls ok passes. */
async function probe(
  target: HealthCheckTarget,
  request: ProbeRequest,
  timeoutSeconds: number,
  options: HealthCheckOptions,
): Promise<HealthCheckResult> {
  const dispatcher = proxyDispatcher(
    // Labels and tags are not a dispatcher's business.
    { proxy: { ...target.proxy, labels: {}, tags: [] } },
    options.tls === undefined ? {} : { tls: options.tls },
  );
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(request.url, {
      dispatcher,
      headers: request.headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
    // The status is the answer: the body is not worth the provider's bandwidth.
    await response.body?.cancel();
    const outcome = classifyOutcome({ statusCode: response.status });
    if (outcome.ok) return { ok: true, latencyMs: elapsed() };
    return {
      ok: false,
      category: outcome.error,
      statusCode: response.status,
      latencyMs: elapsed(),
      message: `health check: HTTP ${response.status}`,
    };
  } catch (error) {
    const outcome = classifyOutcome({ error });
    return {
      ok: false,
      category: outcome.ok ? 'unknown' : outcome.error,
      latencyMs: elapsed(),
      message: `health check: ${errorKind(error)}`,
    };
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
}

/**
 * The error's name and code (and its cause's), never its message: a proxy library's message
 * may quote the proxy URL with its credentials.
 */
function errorKind(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${e.name} ${code}` : e.name);
    e = e.cause;
  }
  return parts.length > 0 ? parts.join(' <- ') : 'unknown error';
}

/** Run `work` over `items`, at most `limit` at once. */
async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
