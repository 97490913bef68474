// Real proxies on loopback for integration tests and examples: an HTTP forward proxy with
// Basic auth (@leasehold/forward-proxy, the demo's too) and a SOCKS5 proxy with RFC 1929
// username/password auth. Each counts what it served and records the username each request
// came with, so a test checks what the proxy saw, not what the client believes it sent.
import { timingSafeEqual } from 'node:crypto';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { startForwardProxy } from '@leasehold/forward-proxy';
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
  const { username, password = '' } = options;
  // Its counts are the LoopbackProxy's: what the proxy itself admitted and refused.
  return startForwardProxy({
    keepAlive: true,
    ...(username === undefined ? {} : { auth: { username, password } }),
  });
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
