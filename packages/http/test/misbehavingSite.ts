// A loopback "site" that answers in ways fetch refuses (a redirect loop, redirects fetch will
// not follow, bytes that are not HTTP), written byte by byte so nothing tidies them up. Also
// the same server as a "proxy" that is no proxy: it answers CONNECT with garbage.
import { createServer, type Socket } from 'node:net';

export interface MisbehavingSite {
  readonly origin: string;
  /** A proxy URL pointing at this server: no proxy, its CONNECT answer is garbage. */
  readonly notAProxyUrl: string;
  hits(path: string): number;
  close(): Promise<void>;
}

const redirect = (location: string): string =>
  `HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;

/**
 * Routes:
 *   /loop            302 to itself (fetch gives up after 20)
 *   /to-ftp          302 to an ftp: URL
 *   /to-blocked-port 302 to port 6000, which fetch blocks
 *   /garbled         a reply that is not HTTP
 *   /bad-length      a 200 whose Content-Length is not a number
 */
export async function startMisbehavingSite(): Promise<MisbehavingSite> {
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const replies: Record<string, string> = {
    '/loop': redirect('/loop'),
    '/to-ftp': redirect('ftp://127.0.0.1/file'),
    '/to-blocked-port': redirect('http://127.0.0.1:6000/'),
    '/garbled': 'SSH-2.0-OpenSSH_9.6\r\n\r\n',
    '/bad-length': 'HTTP/1.1 200 OK\r\nContent-Length: many\r\nConnection: close\r\n\r\nhello',
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', (chunk) => {
      const path = /^[A-Z]+ (\S+)/.exec(chunk.toString('latin1'))?.[1] ?? '';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      socket.end(replies[path] ?? 'garbage, not HTTP\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    notAProxyUrl: `http://127.0.0.1:${port}`,
    hits: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
