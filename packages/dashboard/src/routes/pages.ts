import { ProxyNotFoundError } from '@leasehold/client';
import { parseInput, poolNameSchema, proxyIdSchema } from '@leasehold/core';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { errorLogView } from '../data/errorLog.js';
import { ProxyPageQuerySchema } from '../data/proxyPage.js';
import { errorsPage } from '../views/errors.js';
import { overviewPage } from '../views/overview.js';
import { poolPage } from '../views/pool.js';
import { type DashboardContext, pageOptions, type RouteOptions, sendHtml } from './context.js';

const PoolParams = z.object({ pool: poolNameSchema });

/** The notice after an action, by its name; shown only when the proxy is there in that state. */
const DONE = new Map<string, { text: string; status?: 'active' | 'disabled' }>([
  ['disable', { text: 'Disabled', status: 'disabled' }],
  ['enable', { text: 'Enabled', status: 'active' }],
  ['reset', { text: 'Reset' }],
]);

/**
 * The redirect after an action names it (`?done=disable&proxy=<id>`). The query only picks a
 * fixed text and a proxy id that is looked up: a crafted link can't put words on the page.
 */
async function noticeFor(ctx: DashboardContext, pool: string, query: unknown) {
  const q = (query ?? {}) as Record<string, unknown>;
  const done = typeof q.done === 'string' ? DONE.get(q.done) : undefined;
  const id = proxyIdSchema.safeParse(q.proxy);
  if (done === undefined || !id.success) return undefined;
  const state = await ctx.manager.getProxyState(pool, id.data).catch((error: unknown) => {
    if (error instanceof ProxyNotFoundError) return undefined;
    throw error;
  });
  if (state === undefined || (done.status !== undefined && state.status !== done.status))
    return undefined;
  return `${done.text} proxy ${state.proxyId}.`;
}

/** The HTML pages: `/`, `/pools/<pool>` (paginated), `/pools/<pool>/errors`. */
export const pageRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/', async (_req, reply) =>
    sendHtml(reply, overviewPage(await ctx.reads.overview(), pageOptions(ctx))),
  );

  app.get('/pools/:pool', async (req, reply) => {
    const { pool } = parseInput(PoolParams, req.params, 'params');
    const query = parseInput(ProxyPageQuerySchema, req.query ?? {}, 'query');
    // Counts first: a pool that does not exist is a 404 before any row is read.
    const counts = await ctx.reads.counts(pool);
    const [proxies, samples, settings, notice] = await Promise.all([
      ctx.pages.read(pool, query),
      ctx.reads.samples(pool),
      ctx.manager.getPool(pool),
      noticeFor(ctx, pool, req.query),
    ]);
    const view = {
      pool,
      counts,
      proxies,
      after: query.after,
      csrf: ctx.guard.csrfToken,
      samples,
      notice,
      settings,
    };
    return sendHtml(reply, poolPage(view, pageOptions(ctx)));
  });

  app.get('/pools/:pool/errors', async (req, reply) => {
    const { pool } = parseInput(PoolParams, req.params, 'params');
    const view = await errorLogView(ctx.manager, ctx.history, pool, req.query);
    return sendHtml(reply, errorsPage(pool, view, pageOptions(ctx)));
  });
};
