// What the gateway answers itself to requests that are not proxy requests (origin-form, like
// `GET /healthz`): only under a loopback or bind-host name, so a DNS-rebinding page that
// reaches the port cannot read them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseRequest } from './answers.js';

const CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARD_BINDS = new Set(['0.0.0.0', '::']);

export interface OwnRoutesContext {
  host: string;
  port: number;
  metrics: () => string;
}

function allowedHost(header: string | undefined, ctx: OwnRoutesContext): boolean {
  if (header === undefined) return false;
  const bind = ctx.host.toLowerCase();
  const names = WILDCARD_BINDS.has(bind)
    ? LOOPBACK_NAMES
    : [...LOOPBACK_NAMES, bind.includes(':') ? `[${bind}]` : bind];
  return names.some((name) => header.toLowerCase() === `${name}:${ctx.port}`);
}

const NOT_PROXY = {
  code: 'not_found',
  message: 'a proxy: send absolute-form requests or CONNECT',
} as const;

export function serveOwn(req: IncomingMessage, res: ServerResponse, ctx: OwnRoutesContext): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  const path = (req.url ?? '/').split('?')[0];
  if (!allowedHost(req.headers.host, ctx))
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
