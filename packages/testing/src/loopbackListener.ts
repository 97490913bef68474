import type { Server as NetServer, Socket } from 'node:net';

export interface LoopbackListener {
  port: number;
  /** Ends every open connection (keep-alive, tunnels) at once, then closes the server. */
  close(): Promise<void>;
}

/**
 * Listens on a free 127.0.0.1 port and tracks the server's connections: a plain close() would
 * wait for keep-alive and tunnel sockets, and a test would hang on its afterAll.
 * `connectionEvent` is 'secureConnection' for a TLS server (its sockets are the TLS ones).
 */
export async function listenOnLoopback(
  server: NetServer,
  connectionEvent: 'connection' | 'secureConnection' = 'connection',
): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  server.on(connectionEvent, (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
