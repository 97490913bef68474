import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { answerConnect, openTunnel, proxyCredentials } from '@leasehold/forward-proxy';
import { listenOnLoopback } from './loopbackListener.js';

/**
 * A local stand-in for a provider gateway (Bright Data, Oxylabs, Decodo, IPRoyal): one HTTP
 * forward proxy on 127.0.0.1 that picks the "exit IP" of each request from the session id
 * written into the Proxy-Authorization username (or password). A session id seen before keeps
 * its exit; a new one gets the next exit; a request without one gets a fresh exit every time,
 * as a rotating gateway does. It answers a forwarded request itself (nothing leaves the
 * machine) with the exit in an `x-exit-ip` header; a CONNECT is recorded the same way and
 * tunnelled to its (loopback) target. It records what it saw.
 */

export interface GatewayProxyOptions {
  /**
   * Where the session id is and how to read it: the first capture group of `pattern` run on
   * the decoded username or password. Default: username, `-session-([A-Za-z0-9]+)` (Bright
   * Data, Decodo); Oxylabs is `-sessid-([A-Za-z0-9]+)`, IPRoyal `_session-([A-Za-z0-9]{8})`
   * in the password.
   */
  session?: { in: 'username' | 'password'; pattern: RegExp };
  /** Credentials the gateway accepts (407 otherwise); default any, as long as there are some. */
  accept?: (credentials: { username: string; password: string }) => boolean;
}

export interface GatewayRequest {
  username: string;
  password: string;
  /** The session id the gateway read, or null (a rotating request). */
  session: string | null;
  exitIp: string;
  target: string;
}

export interface GatewayProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: put credentials in front to make a proxy URL. */
  readonly origin: string;
  /** Every authenticated request, in arrival order. */
  readonly requests: readonly GatewayRequest[];
  /** The exit given to each session id, in order of first sight. */
  readonly exits: ReadonlyMap<string, string>;
  /** Requests answered 407. */
  readonly refused: number;
  /** Requests being held now, and the most held at once (see `hold`). */
  readonly inFlight: number;
  readonly peak: number;
  /** Hold every answer until `release()`; for counting how many requests run at once. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

const DEFAULT_SESSION = { in: 'username', pattern: /-session-([A-Za-z0-9]+)/ } as const;

export async function startGatewayProxy(options: GatewayProxyOptions = {}): Promise<GatewayProxy> {
  const sessionRule = options.session ?? DEFAULT_SESSION;
  const requests: GatewayRequest[] = [];
  const exits = new Map<string, string>();
  const held: (() => void)[] = [];
  let holding = false;
  let nextExit = 1;
  const state = { refused: 0, inFlight: 0, peak: 0 };

  const releaseHeld = (): void => {
    holding = false;
    for (const answer of held.splice(0)) answer();
  };

  const newExit = (): string => {
    const n = nextExit++;
    // Only reported, never dialled.
    return `10.0.${n >> 8}.${n & 255}`;
  };

  /** Authenticates a request, reads its session and records it with its exit; null = refused. */
  const admit = (req: IncomingMessage): GatewayRequest | null => {
    const credentials = proxyCredentials(req);
    const accepted = options.accept ?? ((given) => given.username !== '');
    if (credentials === null || !accepted(credentials)) {
      state.refused++;
      return null;
    }
    const match = sessionRule.pattern.exec(credentials[sessionRule.in]);
    const session = match?.[1] ?? null;
    let exitIp: string;
    if (session === null) exitIp = newExit();
    else {
      exitIp = exits.get(session) ?? newExit();
      exits.set(session, exitIp);
    }
    const request = { ...credentials, session, exitIp, target: req.url ?? '' };
    requests.push(request);
    return request;
  };

  const server = createServer((req, res) => {
    const request = admit(req);
    if (request === null) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="gateway"', connection: 'close' });
      res.end();
      return;
    }
    const { exitIp, session } = request;
    state.inFlight++;
    state.peak = Math.max(state.peak, state.inFlight);
    const answer = () => {
      state.inFlight--;
      res.writeHead(200, { 'content-type': 'application/json', 'x-exit-ip': exitIp });
      res.end(JSON.stringify({ exitIp, session }));
    };
    if (holding) held.push(answer);
    else answer();
  });
  // CONNECT, as fetch/undici and https targets use: admitted and recorded like a forwarded
  // request (target = host:port), then tunnelled to the target for real (loopback only).
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    client.on('error', () => client.destroy());
    if (admit(req) === null)
      return answerConnect(client, 407, 'Proxy Authentication Required', {
        'proxy-authenticate': 'Basic realm="gateway"',
      });
    openTunnel(req, client, head);
  });
  const listener = await listenOnLoopback(server);
  const port = listener.port;

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    exits,
    get refused() {
      return state.refused;
    },
    get inFlight() {
      return state.inFlight;
    },
    get peak() {
      return state.peak;
    },
    hold() {
      holding = true;
    },
    release: releaseHeld,
    async close() {
      releaseHeld();
      await listener.close();
    },
  };
}

export interface ProxiedResponse {
  status: number;
  /** The gateway's `x-exit-ip` header, if any. */
  exitIp: string | undefined;
  body: string;
}

/**
 * A plain-HTTP request through a forward proxy, with Basic proxy credentials, the way an HTTP
 * client sends it: absolute URI, `Proxy-Authorization` from the decoded username/password.
 */
export function requestThroughProxy(
  proxy: { host: string; port: number; username?: string; password?: string },
  target = 'http://target.test/',
): Promise<ProxiedResponse> {
  const headers: Record<string, string> = { host: new URL(target).host };
  if (proxy.username !== undefined) {
    const pair = `${proxy.username}:${proxy.password ?? ''}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: proxy.host, port: proxy.port, path: target, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const exit = res.headers['x-exit-ip'];
          resolve({
            status: res.statusCode ?? 0,
            exitIp: Array.isArray(exit) ? exit[0] : exit,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
