// A site on loopback for the HTTP integrations' tests and examples: plain HTTP, or HTTPS with
// a throwaway CA (openssl, as for TLS Redis). It counts the hits on each path.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenOnLoopback } from './loopbackListener.js';
import { makeTestCertificates } from './secureRedis.js';

export interface TargetSiteOptions {
  /** Serve HTTPS with a certificate for 127.0.0.1 and localhost, signed by `ca`. */
  tls?: boolean;
  /** Credentials `/private` requires (HTTP Basic); without them `/private` is a 404. */
  basicAuth?: { username: string; password: string };
}

export interface TargetSite {
  /** `http(s)://127.0.0.1:port` */
  readonly origin: string;
  readonly port: number;
  /** The CA's PEM (HTTPS only): trust it with `{ ca }`. */
  readonly ca: string | undefined;
  /** Hits per path (`/ok`, `/404` …). */
  hits(path: string): number;
  close(): Promise<void>;
}

/**
 * Routes:
 *   /ok                  200 "ok"
 *   /404                 404
 *   /429?after=<s>       429 with Retry-After: <s> (default 30)
 *   /500                 500
 *   /slow?ms=<n>         200 after n ms; without ms it never answers (until close)
 *   /cookies             200, the request's Cookie header as the body; sets visited=1
 *   /bytes?n=<n>         200 with n bytes
 *   /page                an HTML page titled "Leasehold target"
 *   /private             200 with the `basicAuth` credentials (Basic), 401 without
 */
export async function startTargetSite(options: TargetSiteOptions = {}): Promise<TargetSite> {
  const hits = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();

  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://target');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
    };
    switch (url.pathname) {
      case '/ok':
        text(200, 'ok');
        break;
      case '/404':
        text(404, 'not found');
        break;
      case '/429':
        text(429, 'slow down', { 'retry-after': url.searchParams.get('after') ?? '30' });
        break;
      case '/500':
        text(500, 'boom');
        break;
      case '/slow': {
        const ms = url.searchParams.get('ms');
        if (ms === null) break;
        const timer = setTimeout(() => {
          timers.delete(timer);
          text(200, 'late');
        }, Number(ms));
        timers.add(timer);
        break;
      }
      case '/cookies':
        text(200, req.headers.cookie ?? '', { 'set-cookie': 'visited=1; Path=/' });
        break;
      case '/bytes':
        text(200, 'x'.repeat(Number(url.searchParams.get('n') ?? '0')));
        break;
      case '/private': {
        const auth = options.basicAuth;
        const expected =
          auth && `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
        if (expected === undefined) text(404, 'no such route');
        else if (req.headers.authorization === expected) text(200, 'private ok');
        else text(401, 'who are you', { 'www-authenticate': 'Basic realm="target"' });
        break;
      }
      case '/page':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Leasehold target</title><h1>through the proxy</h1>');
        break;
      default:
        text(404, 'no such route');
        break;
    }
  };

  let ca: string | undefined;
  let server: ReturnType<typeof createHttpServer>;
  if (options.tls) {
    const dir = await mkdtemp(join(tmpdir(), 'leasehold-target-'));
    try {
      const files = await makeTestCertificates(dir);
      ca = files.ca;
      server = createHttpsServer(
        { key: await readFile(files.keyFile), cert: await readFile(files.certFile) },
        route,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } else {
    server = createHttpServer(route);
  }
  const listener = await listenOnLoopback(server, options.tls ? 'secureConnection' : 'connection');
  const port = listener.port;
  return {
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    ca,
    hits: (path) => hits.get(path) ?? 0,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      return listener.close();
    },
  };
}
