import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { redactCredentials } from '../redaction.js';
import type { HealthReport } from './health.js';

export interface OpsServer {
  /** The bound port (useful when 0 asked for a free one). */
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface OpsServerOptions {
  port: number;
  host: string;
  registry: Registry;
  health: () => Promise<HealthReport>;
  logger: Logger;
}

/** `/metrics` (Prometheus text) and `/healthz` (JSON, 503 when a dependency is down). */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { registry, health, logger } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(405, 'text/plain', 'method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => reply(200, registry.contentType, text),
        (error: unknown) => {
          logger.warn({ err: error }, 'metrics scrape failed');
          reply(503, 'text/plain', `metrics unavailable: ${redactCredentials(String(error))}\n`);
        },
      );
      return;
    }
    if (path === '/healthz') {
      health().then(
        (report) =>
          reply(
            report.status === 'ok' ? 200 : 503,
            'application/json',
            `${JSON.stringify(report)}\n`,
          ),
        (error: unknown) => reply(503, 'text/plain', `${redactCredentials(String(error))}\n`),
      );
      return;
    }
    reply(404, 'text/plain', 'not found: try /metrics or /healthz\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${hostPart}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Scrapers keep connections alive; do not wait for them to hang up.
        server.closeAllConnections();
      }),
  };
}
