import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { hasCredentials, type ProxyCredentials, proxyCredentials } from './credentials.js';
import { forwardRequest } from './forward.js';
import { answerConnect, openTunnel } from './tunnel.js';

/** One request the proxy admitted, as its hook sees it. */
export interface ProxiedRequest {
  kind: 'http' | 'connect';
  /** The absolute URL, or `host:port` of a CONNECT. */
  target: string;
  /** The proxy username it came with ('' without). */
  username: string;
  /** Requests and tunnels admitted so far, this one included (1 for the first). */
  served: number;
}

/** What the proxy does with an admitted request; the hook's answer (default: forward). */
export type ProxyVerdict =
  /** Forward it, after `delayMs` (a slow proxy). */
  | { action: 'forward'; delayMs?: number }
  /** Drop the connection without an answer (a broken proxy). */
  | { action: 'reset' }
  /** Answer it itself: a 502, a 429 with Retry-After … */
  | { action: 'answer'; status: number; headers?: Record<string, string> };

export interface ForwardProxyOptions {
  /** Require these Basic credentials; anything else gets 407. */
  auth?: ProxyCredentials;
  /** Decides per admitted request (fault modes); forwards when it returns undefined. */
  verdict?: (request: ProxiedRequest) => ProxyVerdict | undefined;
  /** Reuse upstream connections (default: one per request). */
  keepAlive?: boolean;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

export interface ForwardProxyStats {
  /** Absolute-form requests admitted. */
  readonly requests: number;
  /** CONNECT tunnels admitted. */
  readonly tunnels: number;
  /** Requests and tunnels answered 407. */
  readonly refused: number;
  /** Admitted requests and tunnels open now, and the most at once. */
  readonly inFlight: number;
  readonly peak: number;
  /** The username of every admitted request and tunnel, in order ('' without). */
  readonly usernames: readonly string[];
}

export interface ForwardProxy extends ForwardProxyStats {
  readonly port: number;
  /** `http://user:pass@127.0.0.1:port` (percent-encoded credentials, if any). */
  readonly url: string;
  /** Ends every open connection and tunnel, then closes the server. */
  close(): Promise<void>;
}

function checkOptions(options: ForwardProxyOptions): void {
  const { port, auth } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535))
    throw new RangeError('options.port must be a whole number from 0 to 65535');
  if (
    auth !== undefined &&
    (typeof auth.username !== 'string' || typeof auth.password !== 'string')
  )
    throw new TypeError('options.auth must have a string username and password');
}

const REALM = { 'proxy-authenticate': 'Basic realm="forward-proxy"' };

/**
 * A real HTTP forward proxy: absolute-form requests are forwarded, CONNECT is tunnelled. It
 * counts what it admitted and its own peak concurrency, so a test or a demo checks what the
 * proxy saw, not what its clients believe they sent.
 */
export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  checkOptions(options);
  const stats = { requests: 0, tunnels: 0, refused: 0, inFlight: 0, peak: 0 };
  const usernames: string[] = [];
  const sockets = new Set<Socket>();
  const agent = options.keepAlive ? new Agent({ keepAlive: true }) : false;

  /** The request's verdict, or null when it is refused for its credentials. */
  const admit = (req: IncomingMessage, kind: ProxiedRequest['kind']): ProxyVerdict | null => {
    if (options.auth !== undefined && !hasCredentials(req, options.auth)) {
      stats.refused++;
      return null;
    }
    stats[kind === 'http' ? 'requests' : 'tunnels']++;
    const username = proxyCredentials(req)?.username ?? '';
    usernames.push(username);
    const served = stats.requests + stats.tunnels;
    const target = req.url ?? '';
    return options.verdict?.({ kind, target, username, served }) ?? { action: 'forward' };
  };

  /** Counts one admitted request in; the returned function counts it out, once. */
  const enter = (): (() => void) => {
    stats.inFlight++;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    let left = false;
    return () => {
      if (!left) stats.inFlight--;
      left = true;
    };
  };

  const delay = (verdict: ProxyVerdict) =>
    new Promise((resolve) =>
      setTimeout(resolve, verdict.action === 'forward' ? (verdict.delayMs ?? 0) : 0),
    );

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const verdict = admit(req, 'http');
    if (verdict === null) return void res.writeHead(407, REALM).end();
    const leave = enter();
    res.once('close', leave);
    if (verdict.action === 'reset') return void req.socket.destroy();
    if (verdict.action === 'answer')
      return void res.writeHead(verdict.status, verdict.headers).end();
    await delay(verdict);
    forwardRequest(req, res, agent);
  };

  const onConnect = async (req: IncomingMessage, client: Socket, head: Buffer): Promise<void> => {
    client.on('error', () => client.destroy());
    const verdict = admit(req, 'connect');
    if (verdict === null) {
      answerConnect(client, 407, 'Proxy Authentication Required', REALM);
      return;
    }
    client.once('close', enter());
    if (verdict.action === 'reset') {
      client.destroy();
      return;
    }
    if (verdict.action === 'answer') {
      answerConnect(client, verdict.status, 'Refused', verdict.headers);
      return;
    }
    await delay(verdict);
    openTunnel(req, client, head);
  };

  const server = createServer((req, res) => void onRequest(req, res));
  server.on('connect', (req, socket, head) => void onConnect(req, socket as Socket, head));
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const { auth } = options;
  const userinfo = auth
    ? `${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@`
    : '';
  return {
    port,
    url: `http://${userinfo}${host.includes(':') ? `[${host}]` : host}:${port}`,
    get requests() {
      return stats.requests;
    },
    get tunnels() {
      return stats.tunnels;
    },
    get refused() {
      return stats.refused;
    },
    get inFlight() {
      return stats.inFlight;
    },
    get peak() {
      return stats.peak;
    },
    usernames,
    close: () =>
      new Promise<void>((resolve) => {
        if (agent) agent.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
