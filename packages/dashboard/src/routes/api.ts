import { parseInput, poolNameSchema } from '@leasehold/core';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ProxyPageQuerySchema } from '../data/proxyPage.js';
import type { RouteOptions } from './context.js';

const PoolParams = z.object({ pool: poolNameSchema });

/** JSON for scripts and the overview's live numbers; the same reads as the pages. */
export const apiRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/api/pools', async () => ctx.reads.overview());
  // `?status=all|disabled|open&limit=1..500&after=<next>`: follow `next` until it is null.
  app.get('/api/pools/:pool/proxies', async (req) => {
    const { pool } = parseInput(PoolParams, req.params, 'params');
    const query = parseInput(ProxyPageQuerySchema, req.query ?? {}, 'query');
    const counts = await ctx.reads.counts(pool);
    return { pool, counts, ...(await ctx.pages.read(pool, query)) };
  });
};
