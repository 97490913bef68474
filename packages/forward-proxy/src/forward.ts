import {
  type Agent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { endToEndHeaders } from './headers.js';

/**
 * Forwards an absolute-form request (`GET http://host/path`) to its origin and streams the
 * answer back, hop-by-hop headers dropped both ways. 400 for a request that is not
 * absolute-form (this is a proxy, not a server), 502 when the origin cannot be reached.
 * `agent` false: one upstream connection per request.
 */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  agent: Agent | false = false,
): void {
  let target: URL;
  try {
    target = new URL(req.url ?? '');
  } catch {
    res.writeHead(400).end('absolute URI expected');
    return;
  }
  if (target.protocol !== 'http:') {
    res.writeHead(400).end('only http:// targets are forwarded (use CONNECT for https)');
    return;
  }
  const upstream = httpRequest(
    {
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || 80,
      path: `${target.pathname}${target.search}`,
      method: req.method,
      headers: endToEndHeaders(req.headers),
      agent,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}
