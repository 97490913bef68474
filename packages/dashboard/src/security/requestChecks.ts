import type { AllowedHosts } from '@leasehold/core/internal';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_CSP, QUEUES_CSP } from './csp.js';
import type { Guard } from './sessions.js';

/** Paths served without a session: signing in, and out (harmless either way). */
const PUBLIC_PATHS = new Set(['/login', '/logout']);

export const wantsHtml = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');

/**
 * An unsafe method from another site: Sec-Fetch-Site says so, or the Origin is not one of
 * ours. Origin is compared with the allowed hosts, never with Host (a rebinding page sets
 * both). Scripts without either header still need the token, and our forms a CSRF token.
 */
function crossSite(req: FastifyRequest, hosts: AllowedHosts): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  return origin !== undefined && !hosts.allowsOrigin(origin);
}

function refuse(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(message);
}

/**
 * The checks every request passes before any route, bull-board's included (hooks on the root
 * instance reach every plugin): Host, security headers, cross-site writes, then auth.
 */
export function installRequestChecks(
  app: FastifyInstance,
  hosts: () => AllowedHosts,
  guard: Guard,
): void {
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    reply.header('content-security-policy', path.startsWith('/queues') ? QUEUES_CSP : PAGE_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    if (!hosts().allows(req.headers.host))
      return refuse(
        reply,
        421,
        'Misdirected request: this dashboard does not answer to that Host. Open it as 127.0.0.1 or localhost, or add the name you use to allowedHosts (LEASEHOLD_DASHBOARD_ALLOWED_HOSTS).',
      );
    if (req.method !== 'GET' && req.method !== 'HEAD' && crossSite(req, hosts()))
      return refuse(reply, 403, 'Forbidden: cross-site request refused.');
    if (PUBLIC_PATHS.has(path) || guard.authorized(req.headers)) return;
    if (req.method === 'GET' && wantsHtml(req))
      return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="leasehold"')
      .send({ error: 'unauthorized: send Authorization: Bearer <LEASEHOLD_DASHBOARD_TOKEN>' });
  });
}
