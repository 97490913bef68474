import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { PoolStatsReader, ProxyManager } from '@leasehold/client';
import {
  LeaseholdError,
  PoolNotFoundError,
  parseInput,
  poolNameSchema,
  proxyIdSchema,
  redactCredentials,
  ValidationError,
} from '@leasehold/core';
import {
  checkHealth,
  createMetricsRegistry,
  ErrorLogHistory,
  HOUSEKEEPING_QUEUE,
  PoolSnapshots,
  queuePrefix,
} from '@leasehold/worker';
import { Queue } from 'bullmq';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { JS } from './assets.js';
import { Guard } from './auth.js';
import { DashboardData } from './data.js';
import { errorLogView } from './errorLog.js';
import { errorPage, errorsPage, loginPage, overviewPage, poolPage } from './html.js';
import { type Dashboard, type DashboardOptions, resolveOptions } from './options.js';

const ACTIONS = ['disable', 'enable', 'reset'] as const;
const PoolParams = z.object({ pool: poolNameSchema });
const ActionParams = z.object({
  pool: poolNameSchema,
  id: proxyIdSchema,
  action: z.enum(ACTIONS),
});

const DONE: Record<(typeof ACTIONS)[number], string> = {
  disable: 'Disabled',
  enable: 'Enabled',
  reset: 'Reset',
};

/**
 * Start the dashboard: `/` pools, `/pools/<pool>` proxies with actions, `/pools/<pool>/errors`,
 * `/queues` bull-board, `/metrics`, `/healthz`. Reads are read-only; only the per-proxy
 * actions write. `redis` stays the caller's (left open by close()).
 */
export async function startDashboard(input: DashboardOptions): Promise<Dashboard> {
  const options = resolveOptions(input);
  const { redis } = options;
  const guard = new Guard(options.token);
  const manager = new ProxyManager({ redis, prefix: options.prefix });
  const data = new DashboardData(manager, new PoolStatsReader(redis, manager.keys), redis);
  const registry = createMetricsRegistry(
    new PoolSnapshots(manager, new PoolStatsReader(redis, manager.keys)),
  );
  const history =
    options.databaseUrl === undefined ? undefined : ErrorLogHistory.connect(options.databaseUrl);
  // bull-board's reads go through a connection of their own.
  const queueConnection = redis.duplicate();
  const queue = new Queue(HOUSEKEEPING_QUEUE, {
    connection: queueConnection,
    prefix: queuePrefix(options.prefix),
  });

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  const wantsHtml = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');
  const sendHtml = (reply: FastifyReply, body: string, status = 200) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    // Unsafe methods from another site are refused outright (bull-board's API included);
    // our own forms also carry a CSRF token.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const site = req.headers['sec-fetch-site'];
      const origin = req.headers.origin;
      const crossSite =
        (site !== undefined && site !== 'same-origin' && site !== 'none') ||
        (origin !== undefined && origin !== 'null' && new URL(origin).host !== req.headers.host) ||
        origin === 'null';
      if (crossSite) return reply.code(403).send({ error: 'cross-site request refused' });
    }
    const path = req.url.split('?')[0];
    if (path === '/login' || guard.authorized(req.headers)) return;
    if (req.method === 'GET' && wantsHtml(req))
      return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="leasehold"')
      .send({ error: 'unauthorized: send Authorization: Bearer <LEASEHOLD_DASHBOARD_TOKEN>' });
  });

  app.setErrorHandler((error, req, reply) => {
    const status =
      error instanceof PoolNotFoundError
        ? 404
        : error instanceof ValidationError
          ? 400
          : ((error as { statusCode?: number }).statusCode ?? 500);
    const message = redactCredentials(error instanceof Error ? error.message : String(error));
    const hint = error instanceof LeaseholdError ? error.hint : undefined;
    if (wantsHtml(req)) return sendHtml(reply, errorPage(status, message, hint), status);
    return reply.code(status).send({ error: message, hint });
  });

  app.get('/healthz', async (_req, reply) => {
    const report = await checkHealth(redis, undefined);
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
  app.get('/assets/app.js', async (_req, reply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'max-age=300')
      .send(JS),
  );

  app.get('/login', async (req, reply) =>
    sendHtml(reply, loginPage((req.query as { failed?: string }).failed !== undefined)),
  );
  app.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as { token?: unknown };
    const cookie =
      typeof body.token === 'string'
        ? guard.login(body.token, req.protocol === 'https')
        : undefined;
    if (cookie === undefined) return reply.redirect('/login?failed', 303);
    return reply.header('set-cookie', cookie).redirect('/', 303);
  });

  app.get('/', async (_req, reply) => sendHtml(reply, overviewPage(await data.overview())));
  app.get('/api/pools', async () => data.overview());
  app.get('/pools/:pool', async (req, reply) => {
    const { pool } = parseInput(PoolParams, req.params, 'params');
    const [rows, samples] = await Promise.all([data.proxies(pool), data.samples(pool)]);
    const q = req.query as { done?: string; proxy?: string };
    const done = q.done as keyof typeof DONE | undefined;
    const notice =
      done !== undefined && DONE[done] !== undefined && q.proxy
        ? `${DONE[done]} proxy ${q.proxy}.`
        : undefined;
    const settings = await manager.getPool(pool);
    if (rows.length === 0 && settings === null) throw new PoolNotFoundError(pool);
    return sendHtml(reply, poolPage(pool, rows, guard.csrfToken, samples, notice, settings));
  });
  app.get('/api/pools/:pool/proxies', async (req) => {
    const { pool } = parseInput(PoolParams, req.params, 'params');
    return data.proxies(pool);
  });
  app.post('/pools/:pool/proxies/:id/:action', async (req, reply) => {
    const { pool, id, action } = parseInput(ActionParams, req.params, 'params');
    const body = (req.body ?? {}) as { csrf?: unknown };
    if (!guard.csrfValid(body.csrf))
      return reply.code(403).send({ error: 'missing or wrong CSRF token: reload the page' });
    if (action === 'reset') await manager.resetProxy(pool, id, 'dashboard_reset');
    else
      await manager.transitionProxyState(
        pool,
        id,
        action === 'disable' ? 'disabled' : 'active',
        `dashboard_${action}`,
      );
    return reply.redirect(
      `/pools/${encodeURIComponent(pool)}?done=${action}&proxy=${encodeURIComponent(id)}`,
      303,
    );
  });
  app.get('/pools/:pool/errors', async (req, reply) => {
    const { pool } = parseInput(PoolParams, req.params, 'params');
    const view = await errorLogView(manager, history, pool, req.query);
    return sendHtml(reply, errorsPage(pool, view.entries, view.filters, view.note));
  });

  const board = new FastifyAdapter();
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter: board });
  board.setBasePath('/queues');
  await app.register(board.registerPlugin(), { prefix: '/queues' });

  const close = async () => {
    await app.close();
    await queue.close();
    queueConnection.disconnect();
    await history?.close();
    await manager.close();
  };
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, close };
}
