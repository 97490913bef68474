import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

/**
 * `CONNECT host:port` targets, IPv6 literals included (`[::1]:443`): the host without
 * brackets, as net.connect wants it; null for anything else.
 */
export function connectTarget(authority: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/@]+)):(\d{1,5})$/.exec(authority);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65_535) return null;
  return { host: (match[1] ?? match[2]) as string, port };
}

/** A CONNECT answer the proxy gives itself (a refusal), then the connection ends. */
export function answerConnect(
  client: Socket,
  status: number,
  reason: string,
  headers: Record<string, string> = {},
): void {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  client.end(`HTTP/1.1 ${status} ${reason}\r\n${lines.join('')}content-length: 0\r\n\r\n`);
}

/**
 * Opens the tunnel a CONNECT asks for: connects to the target, answers 200, then pipes both
 * ways (with the bytes that came after the request head). 400 for a bad target, 502 when the
 * target cannot be reached. Ends when either side does.
 */
export function openTunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
  client.on('error', () => client.destroy());
  const target = connectTarget(req.url ?? '');
  if (target === null) {
    answerConnect(client, 400, 'Bad Request');
    return;
  }
  let connected = false;
  const upstream = connect(target.port, target.host, () => {
    connected = true;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', () => {
    if (connected || client.destroyed) client.destroy();
    else answerConnect(client, 502, 'Bad Gateway');
  });
  client.once('close', () => upstream.destroy());
}
