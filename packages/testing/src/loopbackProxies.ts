// Real proxies on loopback for integration tests and examples: an HTTP forward proxy with
// Basic auth and a SOCKS5 proxy with RFC 1929 username/password auth. Each counts what it
// served and records the username each request came with, so a test checks what the proxy
// saw, not what the client believes it sent.
import { timingSafeEqual } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { type LoopbackListener, listenOnLoopback } from './loopbackListener.js';

export interface LoopbackProxyOptions {
  /** Require these credentials (Basic for HTTP, RFC 1929 for SOCKS5). */
  username?: string;
  password?: string;
}

export interface LoopbackProxy {
  readonly port: number;
  /** `scheme://user:pass@127.0.0.1:port` (percent-encoded credentials, if any). */
  readonly url: string;
  /** Absolute-URI requests forwarded (HTTP proxy only). */
  readonly requests: number;
  /** Tunnels opened: CONNECT (HTTP proxy) or SOCKS connects. */
  readonly tunnels: number;
  /** Requests and tunnels refused for missing or wrong credentials. */
  readonly refused: number;
  /** The username of every accepted request and tunnel, in order ('' without auth). */
  readonly usernames: readonly string[];
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

function proxyUrl(scheme: string, port: number, options: LoopbackProxyOptions): string {
  const credentials =
    options.username === undefined
      ? ''
      : `${encodeURIComponent(options.username)}:${encodeURIComponent(options.password ?? '')}@`;
  return `${scheme}://${credentials}127.0.0.1:${port}`;
}

interface Counters {
  requests: number;
  tunnels: number;
  refused: number;
  usernames: string[];
}

function handle(listener: LoopbackListener, url: string, counters: Counters): LoopbackProxy {
  return {
    port: listener.port,
    url,
    get requests() {
      return counters.requests;
    },
    get tunnels() {
      return counters.tunnels;
    },
    get refused() {
      return counters.refused;
    },
    get usernames() {
      return counters.usernames;
    },
    close: listener.close,
  };
}

/** An HTTP forward proxy on 127.0.0.1: absolute-URI requests forwarded, CONNECT tunnelled. */
export async function startHttpProxy(options: LoopbackProxyOptions = {}): Promise<LoopbackProxy> {
  const counters: Counters = { requests: 0, tunnels: 0, refused: 0, usernames: [] };
  const upstreamAgent = new Agent({ keepAlive: true });

  /** The username of an accepted request, or undefined when it must be refused. */
  const authenticate = (req: IncomingMessage): string | undefined => {
    const given = req.headers['proxy-authorization'] ?? '';
    if (options.username === undefined) return '';
    const pair = `${options.username}:${options.password ?? ''}`;
    const expected = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    if (!sameSecret(given, expected)) {
      counters.refused++;
      return undefined;
    }
    return options.username;
  };

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const user = authenticate(req);
    if (user === undefined) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="leasehold-test"' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URI expected');
      return;
    }
    counters.requests++;
    counters.usernames.push(user);
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
        agent: upstreamAgent,
      },
      (answer) => {
        const answerHeaders = { ...answer.headers };
        for (const key of HOP_BY_HOP) delete answerHeaders[key];
        res.writeHead(answer.statusCode ?? 502, answerHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };

  const tunnel = (req: IncomingMessage, client: Socket, head: Buffer): void => {
    client.on('error', () => client.destroy());
    const user = authenticate(req);
    if (user === undefined) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="leasehold-test"\r\ncontent-length: 0\r\n\r\n',
      );
      return;
    }
    counters.tunnels++;
    counters.usernames.push(user);
    const { hostname, port } = new URL(`http://${req.url ?? ''}`);
    const upstream = connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
    });
    client.once('close', () => upstream.destroy());
  };

  const server = createServer(forward);
  server.on('connect', (req, socket, head) => tunnel(req, socket as Socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());
  const listener = await listenOnLoopback(server);
  const close = async (): Promise<void> => {
    upstreamAgent.destroy();
    await listener.close();
  };
  return handle({ ...listener, close }, proxyUrl('http', listener.port, options), counters);
}

/** Reads a byte stream in exact-length pieces (SOCKS messages arrive split or merged). */
class ByteReader {
  private buffered = Buffer.alloc(0);
  private waiting: { bytes: number; resolve: (b: Buffer) => void } | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.deliver();
  };

  private deliver(): void {
    const want = this.waiting;
    if (!want || this.buffered.length < want.bytes) return;
    const piece = this.buffered.subarray(0, want.bytes);
    this.buffered = this.buffered.subarray(want.bytes);
    this.waiting = undefined;
    want.resolve(piece);
  }

  read(bytes: number): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiting = { bytes, resolve };
      this.deliver();
    });
  }

  /** Stops reading; what is left over belongs to the tunnel. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    return this.buffered;
  }
}

const SOCKS_VERSION = 5;
const NO_AUTH = 0x00;
const USER_PASS = 0x02;
const NO_METHOD = 0xff;

async function readDestination(reader: ByteReader): Promise<{ host: string; port: number }> {
  const [, , , addressType] = await reader.read(4);
  let host: string;
  if (addressType === 1) host = [...(await reader.read(4))].join('.');
  else if (addressType === 3) {
    const [length = 0] = await reader.read(1);
    host = (await reader.read(length)).toString('utf8');
  } else {
    const raw = await reader.read(16);
    host = Array.from({ length: 8 }, (_, i) => raw.readUInt16BE(i * 2).toString(16)).join(':');
  }
  const port = (await reader.read(2)).readUInt16BE(0);
  return { host, port };
}

/** A SOCKS5 proxy on 127.0.0.1 (CONNECT only), with RFC 1929 auth when given credentials. */
export async function startSocksProxy(options: LoopbackProxyOptions = {}): Promise<LoopbackProxy> {
  const counters: Counters = { requests: 0, tunnels: 0, refused: 0, usernames: [] };
  const requireAuth = options.username !== undefined;

  const serve = async (client: Socket): Promise<void> => {
    client.on('error', () => client.destroy());
    const reader = new ByteReader(client);
    const [, methodCount = 0] = await reader.read(2);
    const methods = [...(await reader.read(methodCount))];
    const method = requireAuth ? USER_PASS : NO_AUTH;
    if (!methods.includes(method)) {
      client.end(Buffer.from([SOCKS_VERSION, NO_METHOD]));
      return;
    }
    client.write(Buffer.from([SOCKS_VERSION, method]));
    let user = '';
    if (requireAuth) {
      const [, userLength = 0] = await reader.read(2);
      user = (await reader.read(userLength)).toString('utf8');
      const [passLength = 0] = await reader.read(1);
      const pass = (await reader.read(passLength)).toString('utf8');
      const ok =
        sameSecret(user, options.username ?? '') && sameSecret(pass, options.password ?? '');
      if (!ok) {
        counters.refused++;
        client.end(Buffer.from([0x01, 0x01]));
        return;
      }
      client.write(Buffer.from([0x01, 0x00]));
    }
    const { host, port } = await readDestination(reader);
    const upstream = connect(port, host, () => {
      counters.tunnels++;
      counters.usernames.push(user);
      client.write(Buffer.from([SOCKS_VERSION, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
      const rest = reader.detach();
      if (rest.length > 0) upstream.write(rest);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      // 0x05: connection refused by the destination.
      if (!client.destroyed) client.end(Buffer.from([SOCKS_VERSION, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
    });
    client.once('close', () => upstream.destroy());
  };

  const server = createNetServer((client) => void serve(client).catch(() => client.destroy()));
  const listener = await listenOnLoopback(server);
  return handle(listener, proxyUrl('socks5', listener.port, options), counters);
}
