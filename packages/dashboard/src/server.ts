import { PoolStatsReader, ProxyManager } from '@leasehold/client';
import { ValidationError } from '@leasehold/core';
import { AllowedHosts } from '@leasehold/core/internal';
import {
  createMetricsRegistry,
  ErrorLogHistory,
  HOUSEKEEPING_QUEUE,
  PoolSnapshots,
  queuePrefix,
} from '@leasehold/worker';
import { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import { type Clock, systemClock } from './clock.js';
import { PoolReads } from './data/overview.js';
import { ProxyPages } from './data/proxyPage.js';
import { type Dashboard, type DashboardOptions, resolveOptions } from './options.js';
import { actionRoutes } from './routes/actions.js';
import { apiRoutes } from './routes/api.js';
import { assetRoutes } from './routes/assets.js';
import type { DashboardContext } from './routes/context.js';
import { installErrorHandler } from './routes/errors.js';
import { operationsRoutes } from './routes/operations.js';
import { pageRoutes } from './routes/pages.js';
import { registerQueues } from './routes/queues.js';
import { sessionRoutes } from './routes/session.js';
import { LoginThrottle } from './security/loginThrottle.js';
import { installRequestChecks } from './security/requestChecks.js';
import { Guard } from './security/sessions.js';

/**
 * Start the dashboard: `/` pools, `/pools/<pool>` proxies with actions, `/pools/<pool>/errors`,
 * `/queues` bull-board, `/metrics`, `/healthz`. Options are checked before anything is opened;
 * a failure later closes what was opened. `redis` stays the caller's (left open by close()).
 */
export function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  return launchDashboard(options, systemClock);
}

/** startDashboard with the clock of sessions and login throttling given (tests move it). */
export async function launchDashboard(input: DashboardOptions, clock: Clock): Promise<Dashboard> {
  const options = resolveOptions(input);
  const { redis } = options;
  // Closed in reverse order, by close() or by a failed start.
  const opened: (() => Promise<void> | void)[] = [];
  // Every closer runs even if one before it fails; the first failure is rethrown.
  const close = async () => {
    const failures: unknown[] = [];
    for (const closeOne of opened.splice(0).reverse())
      await Promise.resolve()
        .then(closeOne)
        .catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  };
  try {
    const manager = new ProxyManager({ redis, prefix: options.prefix });
    opened.push(() => manager.close());
    const history =
      options.databaseUrl === undefined ? undefined : ErrorLogHistory.connect(options.databaseUrl);
    if (history) opened.push(() => history.close());
    // bull-board's reads go through a connection of their own.
    const queueConnection = duplicateOf(redis);
    opened.push(() => disconnected(queueConnection));
    const queue = new Queue(HOUSEKEEPING_QUEUE, {
      connection: queueConnection,
      prefix: queuePrefix(options.prefix),
    });
    opened.push(() => queue.close());
    const guard = new Guard(options.token, clock);
    const ctx: DashboardContext = {
      manager,
      reads: new PoolReads(manager, new PoolStatsReader(redis, manager.keys), redis),
      pages: new ProxyPages(manager, redis),
      guard,
      throttle: new LoginThrottle(clock),
      history,
    };
    const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
    opened.push(() => app.close());
    // Known once listening (port 0 picks one); no request is served before.
    let hosts = new AllowedHosts(options.host, options.port, options.allowedHosts);
    await buildApp(app, ctx, () => hosts, queue, redis);
    const port = await listen(app, options.host, options.port);
    hosts = new AllowedHosts(options.host, port, options.allowedHosts);
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    return { url: `http://${host}:${port}`, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

async function buildApp(
  app: FastifyInstance,
  ctx: DashboardContext,
  hosts: () => AllowedHosts,
  queue: Queue,
  redis: DashboardOptions['redis'],
): Promise<void> {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  installRequestChecks(app, hosts, ctx.guard);
  installErrorHandler(app, ctx);
  const registry = createMetricsRegistry(
    new PoolSnapshots(ctx.manager, new PoolStatsReader(redis, ctx.manager.keys)),
  );
  await app.register(operationsRoutes, { redis, registry });
  await app.register(assetRoutes);
  if (ctx.guard.enabled) await app.register(sessionRoutes, { ctx });
  await app.register(pageRoutes, { ctx });
  await app.register(apiRoutes, { ctx });
  await app.register(actionRoutes, { ctx });
  await registerQueues(app, queue);
}

/** The bound port; a bind that fails is a typed error naming `host` or `port`. */
async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES')
      throw new ValidationError(
        [
          {
            field: 'port',
            message: `${port} ${code === 'EACCES' ? 'needs privileges' : 'is in use'}`,
          },
        ],
        'Pick another port (--port), or stop what listens there',
      );
    throw new ValidationError(
      [
        {
          field: 'host',
          message: `${host} is not an address of this machine (${code ?? 'bind failed'})`,
        },
      ],
      'Bind to 127.0.0.1, 0.0.0.0 or an address this machine has',
    );
  }
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

/** Narrowed first: ioredis 6's two duplicate() signatures differ, so the union has none. */
function duplicateOf(redis: DashboardOptions['redis']): DashboardOptions['redis'] {
  return redis.isCluster ? (redis as Cluster).duplicate() : (redis as Redis).duplicate();
}

/** Disconnects and waits until the connection has ended. */
function disconnected(connection: DashboardOptions['redis']): Promise<void> {
  if (connection.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    connection.once('end', () => resolve());
    connection.disconnect();
  });
}
