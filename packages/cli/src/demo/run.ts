/**
 * `leasehold demo`: the whole system for real, on loopback. A small target site, a handful
 * of HTTP forward proxies (healthy, slow, failing, rate-limiting, behind Basic auth), the
 * housekeeping worker (and the dashboard, when installed), and scraper child processes that
 * lease a proxy, fetch through it and release with the outcome. The proxies count what they
 * serve and their own peak concurrency: a peak above the pool's cap fails the demo.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeRedisEndpoint, redactProxyUrl } from '@leasehold/client';
import { parseInput } from '@leasehold/core';
import { type Fleet, PROXIES, startFleet } from './fleet.js';
import { type DemoOptions, DemoOptionsSchema, type DemoSummary } from './options.js';
import { countEvents, liveLine, printSummary, proxySummaries } from './report.js';
import { startRunning, startScrapers, stopScraper, type Tally } from './scrapers.js';

export type { DemoOptions, DemoProxySummary, DemoSummary } from './options.js';

function introduce(fleet: Fleet, options: ReturnType<typeof resolve>, log: (l: string) => void) {
  log(`target site: ${fleet.site.url} (${fleet.site.pages.length} pages)`);
  log(`worker metrics: ${fleet.worker.metricsUrl ?? '(off)'}/metrics`);
  log(
    `pool "${options.pool}" on ${describeRedisEndpoint(options.redis)} (prefix ${options.prefix}), ${fleet.records.length} proxies on loopback:`,
  );
  for (const [i, record] of fleet.records.entries()) {
    const spec = PROXIES[i];
    log(
      `  ${(spec?.name ?? '').padStart(12)}  ${record.id}  ${redactProxyUrl(record.url)}  cap ${spec?.cap}`,
    );
  }
  log(`${options.scrapers} scrapers for ${options.seconds}s (Ctrl-C stops everything):`);
}

const resolve = (input: DemoOptions) => parseInput(DemoOptionsSchema, input, 'options');

export async function runDemo(input: DemoOptions = {}): Promise<DemoSummary> {
  const options = resolve(input);
  const log = options.log ?? ((line: string) => console.log(line));
  // Without a signal of the caller's, Ctrl-C and SIGTERM stop it (a second Ctrl-C kills).
  const own = options.stop === undefined ? new AbortController() : undefined;
  const abort = () => own?.abort();
  if (own) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, abort);
  const stop = options.stop ?? (own as AbortController).signal;
  const onStop = () =>
    log('\nstopping: scrapers, worker, proxies and site are being shut down ...');
  stop.addEventListener('abort', onStop, { once: true });
  let fleet: Fleet | undefined;
  let children: ChildProcess[] = [];
  try {
    fleet = await startFleet(options, log);
    introduce(fleet, options, log);
    const tally: Tally = { requests: 0, successes: 0, failuresByCategory: {} };
    const { prefix, pool } = options;
    const config = {
      redis: options.redis,
      prefix,
      pool,
      siteUrl: fleet.site.url,
      pages: [...fleet.site.pages],
    };
    children = await startScrapers(options.scrapers, config, tally, stop);
    const startedAt = Date.now();
    const deadline = startedAt + options.seconds * 1000;
    startRunning(children, deadline);

    let lastRequests = 0;
    while (!stop.aborted && Date.now() < deadline) {
      const wait = Math.min(1_000, Math.max(0, deadline - Date.now()));
      await sleep(wait, undefined, { signal: stop }).catch(() => undefined);
      const stats = await fleet.manager.getPoolStats(pool);
      const elapsed = Math.round((Date.now() - startedAt) / 1000);
      log(liveLine(elapsed, stats, tally.requests - lastRequests, tally.requests));
      lastRequests = tally.requests;
    }
    // At the deadline they finish their request and leave; when stopped they are asked to.
    await Promise.all(children.map((c) => stopScraper(c, 3_000)));
    const seconds = Math.round((Date.now() - startedAt) / 100) / 10;

    const events = countEvents(await fleet.manager.getErrorLog(pool, { limit: 10_000 }));
    const caps = PROXIES.map((spec) => spec.cap);
    const proxies = proxySummaries(fleet.records, fleet.proxies, caps, events);
    const summary: DemoSummary = {
      seconds,
      scrapers: options.scrapers,
      ...tally,
      proxies,
      circuitOpenings: events.openings,
      circuitRecoveries: events.recoveries,
      rateLimitRests: events.rests,
      capViolations: proxies.filter((p) => p.capExceeded).length,
      ...(fleet.dashboardUrl ? { dashboardUrl: fleet.dashboardUrl } : {}),
      ...(fleet.worker.metricsUrl ? { metricsUrl: fleet.worker.metricsUrl } : {}),
      interrupted: stop.aborted,
    };
    printSummary(summary, prefix, pool, log);
    return summary;
  } finally {
    stop.removeEventListener('abort', onStop);
    if (own) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, abort);
    await Promise.all(children.map((c) => stopScraper(c, 1_000)));
    await fleet?.close();
  }
}
