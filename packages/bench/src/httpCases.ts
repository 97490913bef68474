import { ProxyManager } from '@leasehold/client';
import {
  closeSharedDispatchers,
  fetch,
  type LeaseLike,
  leasedFetch,
  proxyAgents,
  proxyDispatcher,
} from '@leasehold/http';
import {
  type LoopbackProxy,
  startHttpProxy,
  startRedisServer,
  startTargetSite,
} from '@leasehold/testing';
import got from 'got';
import { Redis } from 'ioredis';
import { ProxyAgent } from 'undici';
import { sleep } from './measure.js';

/**
 * What each @leasehold/http integration costs per request over a bare undici fetch through
 * the same loopback proxy (one ProxyAgent kept for the whole run: keep-alive tunnels). All
 * cases share one redis-server, one target and the same proxies, in one run, so the ratios
 * compare the integrations and not the machine.
 */

export interface HttpCaseResult {
  name: string;
  requestsPerSec: number;
  /** Mean wall time of one request as a caller sees it (ms). */
  meanMs: number;
  /** meanMs over the baseline's meanMs. */
  vsBaseline: number;
  requests: number;
}

export interface HttpBenchReport {
  startedAt: string;
  smoke: boolean;
  callers: number;
  proxies: number;
  cases: HttpCaseResult[];
}

type Request = () => Promise<void>;

interface Tally {
  name: string;
  requests: number;
  busyMs: number;
  elapsedMs: number;
}

/** Runs `request` in `callers` loops for warmupMs, then counts for windowMs into `tally`. */
async function measureSlice(
  tally: Tally,
  request: Request,
  callers: number,
  warmupMs: number,
  windowMs: number,
): Promise<void> {
  let stop = false;
  let measuring = false;
  const loops = Array.from({ length: callers }, async () => {
    while (!stop) {
      const started = performance.now();
      await request();
      if (measuring) {
        tally.requests++;
        tally.busyMs += performance.now() - started;
      }
    }
  });
  await sleep(warmupMs);
  measuring = true;
  const started = performance.now();
  await sleep(windowMs);
  measuring = false;
  tally.elapsedMs += performance.now() - started;
  stop = true;
  await Promise.all(loops);
}

/**
 * Every case in short slices, round after round (A B C … A B C …), so a drift of the shared
 * machine (seen: a bare fetch going from 6 ms to 1.2 ms within one run) lands on every case
 * alike instead of on whichever ran during it.
 */
export async function measureInRounds(
  cases: { name: string; request: Request }[],
  options: { callers: number; rounds: number; warmupMs: number; sliceMs: number },
): Promise<Omit<HttpCaseResult, 'vsBaseline'>[]> {
  const tallies = cases.map(({ name }) => ({ name, requests: 0, busyMs: 0, elapsedMs: 0 }));
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, { request }] of cases.entries()) {
      await measureSlice(
        tallies[i] as Tally,
        request,
        options.callers,
        options.warmupMs,
        options.sliceMs,
      );
    }
  }
  return tallies.map((t) => ({
    name: t.name,
    requestsPerSec: (t.requests * 1000) / t.elapsedMs,
    meanMs: t.requests === 0 ? 0 : t.busyMs / t.requests,
    requests: t.requests,
  }));
}

export function withRatios(cases: Omit<HttpCaseResult, 'vsBaseline'>[]): HttpCaseResult[] {
  const baseline = cases[0]?.meanMs ?? 0;
  return cases.map((c) => ({ ...c, vsBaseline: baseline === 0 ? 0 : c.meanMs / baseline }));
}

export async function runHttpBenchmarks(options: {
  smoke: boolean;
  onProgress?: (message: string) => void;
}): Promise<HttpBenchReport> {
  const say = options.onProgress ?? (() => {});
  const callers = 4;
  const rounds = options.smoke ? 2 : 5;
  const warmupMs = options.smoke ? 50 : 100;
  const sliceMs = options.smoke ? 120 : 400;
  const proxyCount = 4;

  const redisServer = await startRedisServer();
  const redis = new Redis(redisServer.url);
  const site = await startTargetSite();
  const proxies: LoopbackProxy[] = [];
  for (let i = 0; i < proxyCount; i++)
    proxies.push(await startHttpProxy({ username: `bench${i}`, password: 'pw:bench' }));
  const manager = new ProxyManager({ redis, prefix: 'bench-http' });
  const pool = 'http';
  const url = `${site.origin}/ok`;
  let measured: Omit<HttpCaseResult, 'vsBaseline'>[] = [];
  const closers: (() => Promise<unknown>)[] = [];

  try {
    await manager.upsertPool({ name: pool, leaseSeconds: 60 });
    await manager.addProxies(
      pool,
      proxies.map((p) => p.url),
    );
    // The direct-helper cases measure the helper, not Redis: a lease-like of proxy 0, so
    // every proxy stays free for the leasing cases.
    const first = proxies[0] as LoopbackProxy;
    const lease: LeaseLike = {
      proxy: {
        url: first.url,
        protocol: 'http',
        host: '127.0.0.1',
        port: first.port,
        username: 'bench0',
        password: 'pw:bench',
        labels: {},
        tags: [],
      },
    };
    const kept = new ProxyAgent({
      uri: `http://127.0.0.1:${first.port}`,
      token: `Basic ${Buffer.from('bench0:pw:bench').toString('base64')}`,
    });
    closers.push(() => kept.close());
    const bare = async () => {
      await (await fetch(url, { dispatcher: kept })).text();
    };
    const shared = proxyDispatcher(lease);
    closers.push(() => shared.close());
    const agents = proxyAgents(lease);
    closers.push(async () => {
      agents.http.destroy();
      agents.https.destroy();
    });

    const byHand = handLeasedFetch(manager, pool, url);
    closers.push(byHand.close);

    const cases: { name: string; request: Request }[] = [
      { name: 'baseline: undici fetch, one ProxyAgent kept', request: bare },
      {
        name: 'proxyDispatcher(lease) kept + fetch',
        request: async () => {
          await (await fetch(url, { dispatcher: shared })).text();
        },
      },
      {
        name: 'proxyDispatcher(lease) per request + fetch',
        request: async () => {
          const dispatcher = proxyDispatcher(lease);
          await (await fetch(url, { dispatcher })).text();
          await dispatcher.close();
        },
      },
      {
        name: 'proxyAgents(lease) kept + got',
        request: async () => {
          await got(url, { agent: agents, retry: { limit: 0 } }).text();
        },
      },
      {
        name: 'proxyAgents(lease) per request + got',
        request: async () => {
          const own = proxyAgents(lease);
          await got(url, { agent: own, retry: { limit: 0 } }).text();
          own.http.destroy();
          own.https.destroy();
        },
      },
      {
        name: 'leasing alone: acquireProxy + releaseProxy, no request',
        request: async () => {
          const held = await manager.acquireProxy({ pool, scope: '127.0.0.1' });
          if (held) await manager.releaseProxy(held, { ok: true, latencyMs: 1 });
        },
      },
      {
        // leasedFetch's floor: the same three steps written by hand, one kept ProxyAgent per
        // proxy. What leasedFetch costs above this row is its own code.
        name: 'by hand: acquireProxy, fetch (kept agent per proxy), releaseProxy',
        request: byHand.request,
      },
      {
        name: 'leasedFetch (acquire, fetch, release; dispatchers reused)',
        request: async () => {
          await (await leasedFetch(manager, url, { pool })).text();
        },
      },
      {
        name: 'leasedFetch, a new dispatcher per attempt',
        request: async () => {
          await (await leasedFetch(manager, url, { pool, reuseConnections: false })).text();
        },
      },
    ];
    say('warming up …');
    await measureInRounds([{ name: 'warm-up', request: bare }], {
      callers,
      rounds: 1,
      warmupMs,
      sliceMs,
    });
    say(`running ${cases.length} cases × ${rounds} rounds …`);
    measured = await measureInRounds(cases, { callers, rounds, warmupMs, sliceMs });
  } finally {
    for (const close of closers) await close().catch(() => {});
    await closeSharedDispatchers();
    await manager.close().catch(() => {});
    await Promise.all(proxies.map((p) => p.close()));
    await site.close();
    await redis.quit();
    await redisServer.stop();
  }
  return {
    startedAt: new Date().toISOString(),
    smoke: options.smoke,
    callers,
    proxies: proxyCount,
    cases: withRatios(measured),
  };
}

/** acquire, fetch through a kept ProxyAgent of the leased proxy, release: no leasedFetch. */
function handLeasedFetch(
  manager: ProxyManager,
  pool: string,
  url: string,
): { request: Request; close: () => Promise<void> } {
  const agents = new Map<number, ProxyAgent>();
  const request = async () => {
    const held = await manager.acquireProxy({ pool, scope: '127.0.0.1' });
    if (!held) throw new Error('bench: no proxy free');
    const { port, username, password } = held.proxy;
    let agent = agents.get(port);
    if (!agent) {
      const token = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      agent = new ProxyAgent({ uri: `http://127.0.0.1:${port}`, token });
      agents.set(port, agent);
    }
    const started = performance.now();
    try {
      await (await fetch(url, { dispatcher: agent })).text();
    } finally {
      await manager.releaseProxy(held, {
        ok: true,
        latencyMs: Math.round(performance.now() - started),
      });
    }
  };
  const close = async () => {
    await Promise.all([...agents.values()].map((agent) => agent.close()));
  };
  return { request, close };
}

export function formatHttpReport(report: HttpBenchReport): string {
  const header = ['case', 'req/s', 'mean ms', 'vs bare fetch'];
  const rows = report.cases.map((c) => [
    c.name,
    c.requestsPerSec.toFixed(0),
    c.meanMs.toFixed(2),
    `${c.vsBaseline.toFixed(2)}×`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  return [
    `${report.callers} callers, ${report.proxies} loopback proxies (Basic auth), target /ok on loopback`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
