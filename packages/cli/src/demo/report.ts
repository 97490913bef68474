import { type ErrorLogEntry, type ProxyRecord, redactProxyUrl } from '@leasehold/client';
import type { DemoProxySummary, DemoSummary } from './options.js';
import type { DemoProxy } from './proxies.js';

const pad = (value: string | number, width: number) => String(value).padStart(width);

/** From the pool's error log: circuit openings and 429 rests (per proxy), recoveries. */
export function countEvents(entries: ErrorLogEntry[]) {
  const byProxy = new Map<string, { openings: number; rests: number }>();
  const of = (id: string | undefined) => {
    const found = byProxy.get(id ?? '') ?? { openings: 0, rests: 0 };
    byProxy.set(id ?? '', found);
    return found;
  };
  let openings = 0;
  let recoveries = 0;
  let rests = 0;
  for (const e of entries) {
    const proxyTransition = e.type === 'transition' && e.subject === 'proxy';
    if (proxyTransition && e.to === 'open') {
      openings++;
      of(e.proxyId).openings++;
    } else if (proxyTransition && e.from === 'half-open' && e.to === 'closed') {
      recoveries++;
    } else if (e.type === 'failure' && e.category === 'rate_limit') {
      rests++;
      of(e.proxyId).rests++;
    }
  }
  return { openings, recoveries, rests, byProxy };
}

/** Each proxy as it counted itself, beside what the error log says happened to it. */
export function proxySummaries(
  records: ProxyRecord[],
  proxies: DemoProxy[],
  caps: number[],
  events: ReturnType<typeof countEvents>,
): DemoProxySummary[] {
  return records.map((record, i) => {
    const proxy = proxies[i] as DemoProxy;
    const cap = caps[i] ?? 0;
    const counted = events.byProxy.get(record.id);
    return {
      name: proxy.name,
      id: record.id,
      url: redactProxyUrl(record.url),
      behaviour: proxy.behaviour.kind,
      cap,
      served: proxy.served,
      peak: proxy.peak,
      capExceeded: proxy.peak > cap,
      circuitOpenings: counted?.openings ?? 0,
      rateLimitRests: counted?.rests ?? 0,
    };
  });
}

/** One live line a second: leases, availability, circuits, throughput. */
export function liveLine(
  elapsedSeconds: number,
  stats: {
    totalLeases: number;
    leasedProxies: number;
    totalProxies: number;
    availableProxies: number;
    openCircuits: number;
  },
  perSecond: number,
  total: number,
): string {
  return (
    `${pad(elapsedSeconds, 3)}s | leases ${pad(stats.totalLeases, 2)} | leased proxies ${stats.leasedProxies}/${stats.totalProxies}` +
    ` | available ${stats.availableProxies} | open circuits ${stats.openCircuits} | ${pad(perSecond, 3)} req/s | total ${total}`
  );
}

export function printSummary(
  s: DemoSummary,
  prefix: string,
  pool: string,
  log: (line: string) => void,
): void {
  const failures = Object.entries(s.failuresByCategory)
    .map(([category, n]) => `${category} ${n}`)
    .join(', ');
  log('');
  log(
    `${s.requests} requests by ${s.scrapers} scrapers in ${s.seconds}s: ${s.successes} ok${failures ? `, ${failures}` : ''}`,
  );
  log('per proxy, as counted by the proxies themselves:');
  log(`  ${'proxy'.padEnd(12)}  ${pad('served', 6)}  peak/cap  circuit opened  429 rests`);
  for (const p of s.proxies) {
    log(
      `  ${p.name.padEnd(12)}  ${pad(p.served, 6)}  ${pad(`${p.peak}/${p.cap}`, 8)}  ${pad(p.circuitOpenings, 14)}  ${pad(p.rateLimitRests, 9)}` +
        (p.capExceeded ? '  CAP EXCEEDED' : ''),
    );
  }
  log(
    `circuit openings ${s.circuitOpenings}, recoveries (half-open probe closed it) ${s.circuitRecoveries}, 429 rests ${s.rateLimitRests}`,
  );
  log(
    s.capViolations === 0
      ? 'caps respected: no proxy saw more concurrent requests than its cap'
      : `CAP VIOLATIONS: ${s.capViolations} proxies went over their cap`,
  );
  const first = s.proxies[0]?.id ?? '<id>';
  log('\nlook at it yourself:');
  log(`  redis-cli HGETALL '${prefix}:{${pool}}:pool'`);
  log(`  redis-cli ZRANGE '${prefix}:{${pool}}:available:byLoad' 0 -1 WITHSCORES`);
  log(`  redis-cli HGETALL '${prefix}:{${pool}}:proxy:${first}'`);
  log(`  redis-cli XREVRANGE '${prefix}:{${pool}}:errorLog' + - COUNT 5`);
  log(`  leasehold pool stats ${pool}`);
}
