// startGateway: one HTTP server that is a forward proxy (plain HTTP and CONNECT) leasing from
// a Leasehold pool, and answers GET /healthz and /metrics to requests that are not proxy
// requests. Any number of gateways on one Redis share caps and rests: each is a client.
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { ProxyManager, type RedisConnectionOption } from '@leasehold/client';
import { ValidationError } from '@leasehold/core';
import { AllowedHosts } from '@leasehold/core/internal';
import { refuseConnect, refuseRequest } from './answers.js';
import { authorize } from './auth.js';
import { Exchanges } from './exchanges.js';
import { LeaseBook } from './leases.js';
import { newStats, prometheusText } from './metrics.js';
import { type ResolvedGatewayOptions, validateGatewayOptions } from './options.js';
import { serveOwn } from './ownRoutes.js';
import { handlePlain } from './plain.js';
import { handleConnect } from './tunnel.js';

export interface GatewayOptions {
  /** The caller's connection (left open on close), or a redis:// URL. */
  redis: RedisConnectionOption;
  prefix?: string;
  /** Default 127.0.0.1; anything beyond loopback needs `token`. */
  host?: string;
  /** Default 8880; 0 picks a free port. */
  port?: number;
  /** The default pool. */
  pool: string;
  /** LEASEHOLD_GATEWAY_TOKEN: the proxy password every request must carry. */
  token?: string;
  waitMs?: number;
  graceMs?: number;
  upstreamTimeoutMs?: number;
  renewEveryMs?: number;
}

export interface Gateway {
  /** `http://host:port`, the proxy URL to give a client (add `user:token@`). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets open requests and tunnels finish for graceMs, cuts the rest, releases every lease. */
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  if (options === null || typeof options !== 'object' || options.redis === undefined)
    throw new ValidationError([
      { field: 'redis', message: 'an ioredis client or a redis:// URL is required' },
    ]);
  const { redis, ...rest } = options;
  const settings: ResolvedGatewayOptions = validateGatewayOptions(rest);
  const manager = new ProxyManager({ redis, prefix: settings.prefix });
  const leases = new LeaseBook(manager, { pool: settings.pool, waitMs: settings.waitMs });
  const exchanges = new Exchanges();
  const stats = newStats();
  const agents = {
    http: new Agent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };
  const ctx = {
    leases,
    exchanges,
    stats,
    agents,
    connectTimeoutMs: settings.upstreamTimeoutMs,
    renewEveryMs: settings.renewEveryMs,
  };
  // The names /healthz and /metrics answer under, once the port is known (port 0 resolved).
  let hosts = new AllowedHosts(settings.host, settings.port, []);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith('/')) {
      const auth = authorize(req, settings.token);
      if ('refusal' in auth) return refuseRequest(res, auth.refusal);
      void handlePlain(ctx, req, res, auth.username);
      return;
    }
    serveOwn(req, res, {
      hosts,
      metrics: () => prometheusText(stats, exchanges.size, leases.size),
    });
  });
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const auth = authorize(req, settings.token);
    if ('refusal' in auth) return refuseConnect(socket, auth.refusal);
    void handleConnect(ctx, req, socket, head, auth.username);
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => resolve());
    });
  } catch (error) {
    await manager.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  hosts = new AllowedHosts(settings.host, port, []);
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // Stop accepting; idle keep-alive connections go now, busy ones after their answer.
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    leases.stopAcquiring();
    await exchanges.drain(settings.graceMs);
    server.closeAllConnections();
    await stopped;
    await leases.releaseAll();
    agents.http.destroy();
    agents.https.destroy();
    await manager.close();
  };
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
