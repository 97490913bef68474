/**
 * One demo scraper, run as a child process (child_process.fork) by runDemo: lease a proxy,
 * fetch a page of the demo site through it, classify what happened, release with that
 * outcome; until the deadline or a stop message. Each request is reported to the parent.
 */
import { request } from 'node:http';
import { classifyOutcome, createRedisClient, type Lease, ProxyManager } from '@leasehold/client';
import {
  SCRAPER_CONFIG_ENV,
  type ScraperCommand,
  type ScraperConfig,
  type ScraperReport,
} from './protocol.js';

interface Answer {
  statusCode?: number;
  retryAfter?: string;
  error?: Error;
}

/** GET an absolute URI through an HTTP forward proxy, on a connection of its own. */
function getThroughProxy(lease: Lease, target: string): Promise<Answer> {
  const { host, port, username, password } = lease.proxy;
  const headers: Record<string, string> = { host: new URL(target).host, connection: 'close' };
  if (username !== undefined) {
    const secret = `${decodeURIComponent(username)}:${decodeURIComponent(password ?? '')}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(secret).toString('base64')}`;
  }
  return new Promise((resolve) => {
    const req = request(
      { host, port, path: target, method: 'GET', headers, agent: false, timeout: 5_000 },
      (res) => {
        res.resume();
        res.once('end', () =>
          resolve({
            statusCode: res.statusCode,
            ...(typeof res.headers['retry-after'] === 'string'
              ? { retryAfter: res.headers['retry-after'] }
              : {}),
          }),
        );
        res.once('error', (error) => resolve({ error }));
      },
    );
    req.once('timeout', () =>
      req.destroy(Object.assign(new Error('proxy timed out'), { code: 'ETIMEDOUT' })),
    );
    req.once('error', (error) => resolve({ error }));
    req.end();
  });
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env[SCRAPER_CONFIG_ENV] ?? '{}') as ScraperConfig;
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  const redis = createRedisClient(config.redis, {
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
  });
  const manager = new ProxyManager({ redis, prefix: config.prefix });
  // Booting (tsx, the client) takes a moment: the parent starts the clock when all are ready.
  const deadline = await new Promise<number>((resolve) => {
    process.on('message', (command: ScraperCommand) => {
      if (command?.type === 'go') resolve(command.deadline);
      else stop();
    });
    process.once('disconnect', () => resolve(0));
    const ready: ScraperReport = { type: 'ready' };
    process.send?.(ready);
  });
  let n = 0;
  try {
    while (!stopping && Date.now() < deadline) {
      const waitMs = Math.max(0, Math.min(1_000, deadline - Date.now()));
      const lease = await manager.acquireProxy({
        pool: config.pool,
        consumer: config.consumer,
        waitMs,
      });
      if (lease === null) continue;
      const page = config.pages[n++ % config.pages.length] ?? '/';
      const started = performance.now();
      const answer = await getThroughProxy(lease, `${config.siteUrl}${page}`);
      const latencyMs = Math.round(performance.now() - started);
      const outcome = classifyOutcome(answer);
      await manager.releaseProxy(lease, {
        ...outcome,
        latencyMs,
        ...(answer.error ? { message: answer.error.message.slice(0, 200) } : {}),
      });
      const report: ScraperReport = {
        type: 'request',
        proxyId: lease.proxyId,
        ok: outcome.ok,
        ...(outcome.ok ? {} : { category: outcome.error }),
      };
      process.send?.(report);
      // Breathing room so a newcomer can follow the live line; still hundreds of requests.
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 40));
    }
  } finally {
    await manager.close();
    redis.disconnect();
    process.disconnect?.();
  }
}

main().catch((error: unknown) => {
  console.error(`scraper failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
  process.disconnect?.();
});
