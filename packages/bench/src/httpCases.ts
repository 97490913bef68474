import { ProxyManager } from '@leasehold/client';
import {
  closeSharedDispatchers,
  fetch,
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

async function measure(
  name: string,
  request: Request,
  callers: number,
  warmupMs: number,
  windowMs: number,
): Promise<Omit<HttpCaseResult, 'vsBaseline'>> {
  let stop = false;
  let measuring = false;
  let requests = 0;
  let busyMs = 0;
  const loops = Array.from({ length: callers }, async () => {
    while (!stop) {
      const started = performance.now();
      await request();
      if (measuring) {
        requests++;
        busyMs += performance.now() - started;
      }
    }
  });
  await sleep(warmupMs);
  measuring = true;
  const started = performance.now();
  await sleep(windowMs);
  measuring = false;
  const elapsed = performance.now() - started;
  stop = true;
  await Promise.all(loops);
  return {
    name,
    requestsPerSec: (requests * 1000) / elapsed,
    meanMs: requests === 0 ? 0 : busyMs / requests,
    requests,
  };
}

export async function runHttpBenchmarks(options: {
  smoke: boolean;
  onProgress?: (message: string) => void;
}): Promise<HttpBenchReport> {
  const say = options.onProgress ?? (() => {});
  const callers = 4;
  const warmupMs = options.smoke ? 100 : 500;
  const windowMs = options.smoke ? 300 : 2000;
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
  const cases: Omit<HttpCaseResult, 'vsBaseline'>[] = [];
  const run = async (name: string, request: Request) => {
    say(`running ${name} …`);
    cases.push(await measure(name, request, callers, warmupMs, windowMs));
  };

  try {
    await manager.upsertPool({ name: pool, leaseSeconds: 60 });
    const records = await manager.addProxies(
      pool,
      proxies.map((p) => p.url),
    );
    // One lease, held for the direct-helper cases: they measure the helper, not Redis.
    const lease = await manager.acquireProxy({ pool, filters: { exclude: [] } });
    if (!lease || records.length === 0) throw new Error('bench: no lease');

    const kept = new ProxyAgent({
      uri: `http://127.0.0.1:${proxies.find((p) => lease.proxy.port === p.port)?.port}`,
      token: `Basic ${Buffer.from(`${lease.proxy.username}:${lease.proxy.password}`).toString('base64')}`,
    });
    const bare = async () => {
      await (await fetch(url, { dispatcher: kept })).text();
    };
    // Warms the JIT, the proxy and the target up for everyone; not counted.
    await measure('warm-up', bare, callers, warmupMs, windowMs);
    await run('baseline: undici fetch, one ProxyAgent kept', bare);

    const shared = proxyDispatcher(lease);
    await run('proxyDispatcher(lease) kept + fetch', async () => {
      await (await fetch(url, { dispatcher: shared })).text();
    });
    await shared.close();

    await run('proxyDispatcher(lease) per request + fetch', async () => {
      const dispatcher = proxyDispatcher(lease);
      await (await fetch(url, { dispatcher })).text();
      await dispatcher.close();
    });

    const agents = proxyAgents(lease);
    await run('proxyAgents(lease) kept + got', async () => {
      await got(url, { agent: agents, retry: { limit: 0 } }).text();
    });
    await run('proxyAgents(lease) per request + got', async () => {
      const own = proxyAgents(lease);
      await got(url, { agent: own, retry: { limit: 0 } }).text();
      own.http.destroy();
      own.https.destroy();
    });
    await manager.releaseProxy(lease);

    await run('leasing alone: acquireProxy + releaseProxy, no request', async () => {
      const held = await manager.acquireProxy({ pool, scope: '127.0.0.1' });
      if (held) await manager.releaseProxy(held, { ok: true, latencyMs: 1 });
    });
    await run('leasedFetch (acquire, fetch, release; dispatchers reused)', async () => {
      await (await leasedFetch(manager, url, { pool })).text();
    });
    await run('leasedFetch, a new dispatcher per attempt', async () => {
      await (await leasedFetch(manager, url, { pool, reuseConnections: false })).text();
    });
    // The baseline again at the end: the ratios use the mean of both (the VM drifts).
    const late = await measure('baseline (end)', bare, callers, warmupMs, windowMs);
    await kept.close();
    const first = cases[0];
    if (first) {
      first.meanMs = (first.meanMs + late.meanMs) / 2;
      first.requestsPerSec = (first.requestsPerSec + late.requestsPerSec) / 2;
      first.requests += late.requests;
    }
  } finally {
    await closeSharedDispatchers();
    await manager.close().catch(() => {});
    await Promise.all(proxies.map((p) => p.close()));
    await site.close();
    await redis.quit();
    await redisServer.stop();
  }
  const baseline = cases[0]?.meanMs ?? 0;
  return {
    startedAt: new Date().toISOString(),
    smoke: options.smoke,
    callers,
    proxies: proxyCount,
    cases: cases.map((c) => ({ ...c, vsBaseline: baseline === 0 ? 0 : c.meanMs / baseline })),
  };
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
