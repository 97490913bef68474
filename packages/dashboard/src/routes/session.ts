import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { loginPage } from '../views/login.js';
import { type RouteOptions, sendHtml } from './context.js';

/** Only a path of this dashboard: `/x`, never `//evil.example` or a URL. */
const safeNext = (value: unknown) =>
  typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length <= 2048
    ? value
    : '/';

const secure = (req: FastifyRequest) => req.protocol === 'https';

/** Login form, login (throttled per client address) and logout; only with a token. */
export const sessionRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/login', async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const notice = typeof q.notice === 'string' ? q.notice : undefined;
    return sendHtml(reply, loginPage(notice, safeNext(q.next)));
  });

  app.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as { token?: unknown; next?: unknown };
    const next = encodeURIComponent(safeNext(body.next));
    const wait = ctx.throttle.retryAfterSeconds(req.ip);
    if (wait > 0)
      return sendHtml(reply.header('retry-after', String(wait)), loginPage('throttled', '/'), 429);
    const cookie =
      typeof body.token === 'string' ? ctx.guard.login(body.token, secure(req)) : undefined;
    if (cookie === undefined) {
      ctx.throttle.recordFailure(req.ip);
      return reply.redirect(`/login?notice=failed&next=${next}`, 303);
    }
    return reply.header('set-cookie', cookie).redirect(safeNext(body.next), 303);
  });

  app.post('/logout', async (req, reply) =>
    reply
      .header('set-cookie', ctx.guard.logout(req.headers, secure(req)))
      .redirect('/login?notice=signedOut', 303),
  );
};
