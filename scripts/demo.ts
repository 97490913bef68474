/**
 * A live demo against a real Redis (REDIS_URL, default redis://127.0.0.1:6379): a pool of
 * fake proxies with labels and concurrency caps, and a fleet of simulated scrapers leasing
 * them concurrently. It prints pool stats every second and checks, from the leases it was
 * handed, that no proxy was ever over its cap and every fencing token was new and higher than
 * those of the leases of that proxy already given back.
 *
 *   pnpm demo [--seconds 10] [--scrapers 16] [--proxies 12]
 */
import { parseArgs } from 'node:util';
import { type Lease, type Outcome, ProxyManager } from '@leasehold/client';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    scrapers: { type: 'string', default: '16' },
    proxies: { type: 'string', default: '12' },
    pool: { type: 'string', default: 'demo' },
  },
});
const seconds = Number(values.seconds);
const scrapers = Number(values.scrapers);
const proxyCount = Number(values.proxies);
const pool = values.pool as string;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.LEASEHOLD_PREFIX ?? 'lh';
if (![seconds, scrapers, proxyCount].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('--seconds, --scrapers and --proxies must be positive whole numbers');
  process.exit(2);
}

const countries = ['AR', 'BR', 'CL', 'MX'];
const manager = new ProxyManager({ redis: redisUrl, prefix, connections: 2 });

// Short cooldowns so circuits visibly open, go half-open and close within the demo.
await manager.upsertPool({
  name: pool,
  selector: 'least-used',
  leaseSeconds: 5,
  failureThreshold: 3,
  cooldown: { baseSeconds: 1, maxSeconds: 8 },
});
const proxies = await manager.addProxies(
  pool,
  Array.from({ length: proxyCount }, (_, i) => ({
    // Documentation addresses (RFC 5737): nothing is contacted.
    url: `http://demo-user-${i}:demo-pass@192.0.2.${i + 1}:8080`,
    maxConcurrency: 1 + (i % 3),
    labels: { country: countries[i % countries.length] as string, source: 'demo' },
    tags: i % 2 === 0 ? ['residential'] : ['datacenter'],
  })),
);
console.log(`pool "${pool}" on ${redisUrl} (prefix ${prefix}): ${proxies.length} proxies`);
for (const p of proxies.slice(0, 4)) {
  console.log(`  ${p.id}  ${p.url}  cap=${p.maxConcurrency}  ${JSON.stringify(p.labels)}`);
}
if (proxies.length > 4) console.log(`  ... and ${proxies.length - 4} more`);

const caps = new Map(proxies.map((p) => [p.id, p.maxConcurrency ?? Number.POSITIVE_INFINITY]));
const inUse = new Map<string, number>();
/** Per proxy, the highest fencing token of a lease whose release has completed. */
const releasedTokens = new Map<string, number>();
const seenTokens = new Set<string>();
let cycles = 0;
let empty = 0;
let violations = 0;

// Two proxies are flaky (their circuits open for everyone), the rest mostly succeed, with
// the odd rate limit (a rest, not a failure).
const flaky = new Set(proxies.slice(0, 2).map((p) => p.id));
function simulatedOutcome(proxyId: string, latencyMs: number): Outcome {
  const roll = Math.random();
  if (flaky.has(proxyId) && roll < 0.6)
    return { ok: false, error: 'network', message: 'ECONNRESET', latencyMs };
  if (roll < 0.02)
    return { ok: false, error: 'rate_limit', statusCode: 429, retryAfterMs: 500, latencyMs };
  return { ok: true, latencyMs };
}

async function scraper(n: number, until: number): Promise<void> {
  const consumer = `scraper-${n}`;
  while (Date.now() < until) {
    const country = n % 3 === 0 ? countries[n % countries.length] : undefined;
    const givenBack = new Map(releasedTokens);
    const lease: Lease | null = await manager.acquireProxy({
      pool,
      consumer,
      ...(country ? { filters: { country } } : {}),
    });
    if (lease === null) {
      empty++;
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    const held = (inUse.get(lease.proxyId) ?? 0) + 1;
    inUse.set(lease.proxyId, held);
    if (held > (caps.get(lease.proxyId) ?? 0)) violations++;
    // Fencing: every token is new, and higher than that of any lease of this proxy given
    // back before this acquire was sent. (Two leases taken at the same time may answer out
    // of order when the client spreads calls over two connections.)
    const token = `${lease.proxyId}:${lease.fencingToken}`;
    if (seenTokens.has(token)) violations++;
    seenTokens.add(token);
    if (lease.fencingToken <= (givenBack.get(lease.proxyId) ?? 0)) violations++;
    const latencyMs = 5 + Math.random() * 40;
    await new Promise((r) => setTimeout(r, latencyMs)); // "the request"
    inUse.set(lease.proxyId, (inUse.get(lease.proxyId) ?? 1) - 1);
    await manager.releaseProxy(lease, simulatedOutcome(lease.proxyId, latencyMs));
    releasedTokens.set(
      lease.proxyId,
      Math.max(releasedTokens.get(lease.proxyId) ?? 0, lease.fencingToken),
    );
    cycles++;
  }
}

const until = Date.now() + seconds * 1000;
const ticker = setInterval(async () => {
  const s = await manager.getPoolStats(pool);
  console.log(
    `leases ${String(s.totalLeases).padStart(3)} | leased proxies ${s.leasedProxies}/${s.totalProxies}` +
      ` | available ${String(s.availableProxies).padStart(2)} | open circuits ${s.openCircuits}` +
      ` | cycles ${cycles} | none-free ${empty}`,
  );
}, 1000);
await Promise.all(Array.from({ length: scrapers }, (_, i) => scraper(i, until)));
clearInterval(ticker);

const final = await manager.getPoolStats(pool);
console.log(
  `\n${cycles} lease cycles by ${scrapers} scrapers in ${seconds}s; ${empty} acquires found nothing free`,
);
console.log(`cap or fencing violations seen: ${violations}`);
console.log(`final stats: ${JSON.stringify(final)}`);
const counters = await manager.getPoolCounters(pool);
console.log(
  `outcomes: ${counters.successes} ok, failures ${JSON.stringify(counters.failures)}, ` +
    `${counters.circuitOpens} circuit openings`,
);
console.log('\nlatest error-log entries:');
for (const e of await manager.getErrorLog(pool, { limit: 5 })) {
  const what =
    e.type === 'transition'
      ? `${e.subject} ${e.from} -> ${e.to} (${e.reason})`
      : `${e.category ?? ''} ${e.message ?? ''}`;
  console.log(`  ${new Date(e.at).toISOString()} ${e.type.padEnd(13)} ${e.proxyId ?? ''} ${what}`);
}
console.log(`\nLook at it yourself:\n  redis-cli HGETALL '${prefix}:{${pool}}:pool'`);
console.log(`  redis-cli ZRANGE '${prefix}:{${pool}}:available:byLoad' 0 -1 WITHSCORES`);
console.log(`  redis-cli HGETALL '${prefix}:{${pool}}:proxy:${proxies[0]?.id}'`);
await manager.close();
process.exit(violations === 0 && final.totalLeases === 0 ? 0 : 1);
