// How the gateway talks to a leased upstream proxy: its Basic credentials, a CONNECT through
// an http(s) upstream, and a connection opened through a SOCKS4/5 upstream (`socks` package).
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Lease } from '@leasehold/client';
import { SocksClient } from 'socks';

export function isSocks(lease: Lease): boolean {
  return lease.proxy.protocol === 'socks4' || lease.proxy.protocol === 'socks5';
}

/** A SOCKS failure classifyOutcome can read; never the SocksClientError (it holds the password). */
export class SocksUpstreamError extends Error {
  readonly code: string;

  constructor(message: string) {
    super(`SOCKS upstream: ${message.slice(0, 200)}`);
    this.name = 'SocksUpstreamError';
    const code = /\b(E[A-Z]{3,})\b/.exec(message)?.[1];
    if (code) this.code = code;
    else if (/timed out/i.test(message)) this.code = 'ETIMEDOUT';
    else if (/authentication/i.test(message)) this.code = 'ERR_PROXY_AUTH';
    else this.code = 'ECONNRESET';
  }
}

/** A connection to `host:port` through the lease's SOCKS upstream (names sent unresolved). */
export async function socksSocket(
  lease: Lease,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Socket> {
  const { proxy } = lease;
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: {
        host: proxy.host,
        port: proxy.port,
        type: proxy.protocol === 'socks4' ? 4 : 5,
        ...(proxy.username === undefined ? {} : { userId: proxy.username }),
        ...(proxy.password === undefined ? {} : { password: proxy.password }),
      },
      command: 'connect',
      destination: { host, port },
      timeout: timeoutMs,
    });
    return socket;
  } catch (error) {
    throw new SocksUpstreamError(String((error as Error)?.message));
  }
}

/** `Proxy-Authorization` for the upstream, or nothing when it has no credentials. */
export function upstreamAuthorization(lease: Lease): Record<string, string> {
  const { username, password } = lease.proxy;
  if (username === undefined && password === undefined) return {};
  const token = Buffer.from(`${username ?? ''}:${password ?? ''}`, 'utf8').toString('base64');
  return { 'proxy-authorization': `Basic ${token}` };
}

/** The upstream's answer to CONNECT: the open socket on 200, else its status. */
export type ConnectAnswer = { status: 200; socket: Socket; head: Buffer } | { status: number };

const MAX_HEAD_BYTES = 16 * 1024;

/** Sends `CONNECT authority` to the upstream and reads its answer's head. */
export async function connectThrough(
  lease: Lease,
  target: { host: string; port: number },
  authority: string,
  timeoutMs: number,
): Promise<ConnectAnswer> {
  if (isSocks(lease)) {
    const socket = await socksSocket(lease, target.host, target.port, timeoutMs);
    return { status: 200, socket, head: Buffer.alloc(0) };
  }
  const { host, port, protocol } = lease.proxy;
  const socket =
    protocol === 'https'
      ? tlsConnect({ host, port, servername: host })
      : netConnect({ host, port });
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(Object.assign(new Error('CONNECT timed out'), { code: 'ETIMEDOUT' })),
    );
    socket.once('error', fail);
    socket.once('end', () =>
      fail(Object.assign(new Error('upstream closed'), { code: 'ECONNRESET' })),
    );
    socket.once(protocol === 'https' ? 'secureConnect' : 'connect', () => {
      const lines = [`CONNECT ${authority} HTTP/1.1`, `host: ${authority}`];
      for (const [name, value] of Object.entries(upstreamAuthorization(lease)))
        lines.push(`${name}: ${value}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES) fail(new Error('CONNECT answer head too large'));
        return;
      }
      socket.off('data', onData);
      // Until the caller pipes it: bytes past the head must not be lost.
      socket.pause();
      socket.removeAllListeners('end');
      socket.removeAllListeners('timeout');
      socket.removeListener('error', fail);
      socket.setTimeout(0);
      const status = Number(
        /^HTTP\/1\.[01] (\d{3})/.exec(buffered.toString('latin1', 0, end))?.[1],
      );
      if (status !== 200) {
        socket.destroy();
        resolve({ status: Number.isInteger(status) ? status : 0 });
        return;
      }
      resolve({ status: 200, socket, head: buffered.subarray(end + 4) });
    };
    socket.on('data', onData);
  });
}
