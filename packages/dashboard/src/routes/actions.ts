import { parseInput, poolNameSchema, proxyIdSchema } from '@leasehold/core';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { RouteOptions } from './context.js';

const ActionParams = z.object({
  pool: poolNameSchema,
  id: proxyIdSchema,
  action: z.enum(['disable', 'enable', 'reset']),
});

/** The only writes: disable, enable or reset one proxy (confirmed in the page, CSRF-checked). */
export const actionRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.post('/pools/:pool/proxies/:id/:action', async (req, reply) => {
    const { pool, id, action } = parseInput(ActionParams, req.params, 'params');
    const body = (req.body ?? {}) as { csrf?: unknown };
    if (!ctx.guard.csrfValid(body.csrf))
      return reply.code(403).send({ error: 'missing or wrong CSRF token: reload the page' });
    if (action === 'reset') await ctx.manager.resetProxy(pool, id, 'dashboard_reset');
    else
      await ctx.manager.transitionProxyState(
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
};
