// What the gateway answers itself to requests that are not proxy requests (origin-form, like
// `GET /healthz`): only under a loopback or bind-host name, so a DNS-rebinding page that
// reaches the port cannot read them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AllowedHosts } from '@leasehold/core/internal';
import { refuseRequest } from './answers.js';

const CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface OwnRoutesContext {
  /** Loopback names and the bind host, at the listening port. */
  hosts: AllowedHosts;
  metrics: () => string;
}

const NOT_PROXY = {
  code: 'not_found',
  message: 'a proxy: send absolute-form requests or CONNECT',
} as const;

export function serveOwn(req: IncomingMessage, res: ServerResponse, ctx: OwnRoutesContext): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  const path = (req.url ?? '/').split('?')[0];
  if (!ctx.hosts.allows(req.headers.host))
    refuseRequest(res, { code: 'host_not_allowed', message: 'unknown Host header' });
  else if (req.method !== 'GET' && req.method !== 'HEAD') refuseRequest(res, NOT_PROXY);
  else if (path === '/healthz')
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
  else if (path === '/metrics')
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
      .end(ctx.metrics());
  else refuseRequest(res, NOT_PROXY);
}
