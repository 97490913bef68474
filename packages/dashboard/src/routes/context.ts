import type { ProxyManager } from '@leasehold/client';
import type { ErrorLogHistory } from '@leasehold/worker';
import type { FastifyReply } from 'fastify';
import type { PoolReads } from '../data/overview.js';
import type { ProxyPages } from '../data/proxyPage.js';
import type { LoginThrottle } from '../security/loginThrottle.js';
import type { Guard } from '../security/sessions.js';
import type { PageOptions } from '../views/layout.js';

/** What the route plugins share: built once by startDashboard. */
export interface DashboardContext {
  manager: ProxyManager;
  reads: PoolReads;
  pages: ProxyPages;
  guard: Guard;
  throttle: LoginThrottle;
  history: ErrorLogHistory | undefined;
}

export interface RouteOptions {
  ctx: DashboardContext;
}

export function sendHtml(reply: FastifyReply, body: string, status = 200) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body);
}

/** Signed-in pages offer a sign-out button. */
export const pageOptions = (ctx: DashboardContext): PageOptions => ({
  signedIn: ctx.guard.enabled,
});
