import { timingSafeEqual } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type Socket } from 'node:net';

/** How a demo proxy misbehaves, if at all. */
export type ProxyBehaviour =
  | { kind: 'healthy' }
  | { kind: 'slow'; delayMs: number }
  /** Broken (connection resets and 502s) for `brokenMs` at the start of every `periodMs` (from its first request). */
  | { kind: 'failing'; brokenMs: number; periodMs: number }
  /** Every `every`-th request answered 429 with Retry-After: `retryAfterSeconds`. */
  | { kind: 'rateLimited'; every: number; retryAfterSeconds: number }
  | { kind: 'auth'; username: string; password: string };

export interface DemoProxy {
  readonly name: string;
  readonly port: number;
  /** The URL given to the pool (with the credentials of a proxy behind Basic auth). */
  readonly url: string;
  readonly behaviour: ProxyBehaviour;
  /** Requests (and CONNECT tunnels) this proxy received. */
  served: number;
  /** Requests it handled at the same time, at most: what the pool's cap must bound. */
  peak: number;
  inFlight: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'proxy-authorization',
  'proxy-connection',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A real HTTP forward proxy on loopback: absolute-URI requests are forwarded, CONNECT is
 * tunnelled. It counts what it serves and its own peak concurrency, so the demo checks the
 * pool's caps against what the proxies saw, not against what the clients think they did.
 */
export async function startDemoProxy(name: string, behaviour: ProxyBehaviour): Promise<DemoProxy> {
  // Counted from the first request, not the start: the scrapers take a moment to boot.
  let firstRequestAt: number | undefined;
  const sockets = new Set<Socket>();
  const state = { served: 0, peak: 0, inFlight: 0 };

  /** Counts one request in; the returned function counts it out (once, whatever ends it). */
  const enter = (): (() => void) => {
    state.served++;
    firstRequestAt ??= Date.now();
    state.inFlight++;
    state.peak = Math.max(state.peak, state.inFlight);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      state.inFlight--;
    };
  };

  const broken = (): boolean =>
    behaviour.kind === 'failing' &&
    (Date.now() - (firstRequestAt ?? Date.now())) % behaviour.periodMs < behaviour.brokenMs;

  /** The answer this proxy gives instead of forwarding, if any. */
  const refusal = (
    req: IncomingMessage,
  ): { status: number; headers?: Record<string, string> } | 'reset' | null => {
    if (behaviour.kind === 'auth') {
      const expected = `Basic ${Buffer.from(`${behaviour.username}:${behaviour.password}`).toString('base64')}`;
      const given = req.headers['proxy-authorization'] ?? '';
      if (!sameSecret(given, expected)) {
        return { status: 407, headers: { 'proxy-authenticate': 'Basic realm="leasehold-demo"' } };
      }
    }
    if (broken()) return state.served % 2 === 0 ? 'reset' : { status: 502 };
    if (behaviour.kind === 'rateLimited' && state.served % behaviour.every === 0) {
      return { status: 429, headers: { 'retry-after': String(behaviour.retryAfterSeconds) } };
    }
    return null;
  };

  const delay = (): Promise<void> =>
    behaviour.kind === 'slow'
      ? new Promise((resolve) => setTimeout(resolve, behaviour.delayMs * (0.5 + Math.random())))
      : Promise.resolve();

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const leave = enter();
    res.once('finish', leave);
    res.once('close', leave);
    const refused = refusal(req);
    if (refused === 'reset') {
      req.socket.destroy();
      return;
    }
    if (refused) {
      res.writeHead(refused.status, { ...refused.headers, connection: 'close' }).end();
      return;
    }
    await delay();
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400, { connection: 'close' }).end('absolute URI expected');
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(key)) headers[key] = value;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, connection: 'close' });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { connection: 'close' });
      res.end();
    });
    req.pipe(upstream);
  };

  const tunnel = async (req: IncomingMessage, client: Socket, head: Buffer): Promise<void> => {
    const leave = enter();
    client.once('close', leave);
    client.on('error', () => client.destroy());
    const refused = refusal(req);
    if (refused === 'reset') {
      client.destroy();
      return;
    }
    if (refused) {
      const extra = Object.entries(refused.headers ?? {})
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      client.end(`HTTP/1.1 ${refused.status} Refused\r\n${extra}content-length: 0\r\n\r\n`);
      return;
    }
    await delay();
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
  };

  const server: Server = createServer((req, res) => void forward(req, res));
  server.on('connect', (req, socket, head) => void tunnel(req, socket as Socket, head));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const credentials =
    behaviour.kind === 'auth'
      ? `${encodeURIComponent(behaviour.username)}:${encodeURIComponent(behaviour.password)}@`
      : '';
  return {
    name,
    port,
    url: `http://${credentials}127.0.0.1:${port}`,
    behaviour,
    get served() {
      return state.served;
    },
    get peak() {
      return state.peak;
    },
    get inFlight() {
      return state.inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
