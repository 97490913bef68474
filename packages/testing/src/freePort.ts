// Finds free TCP ports on 127.0.0.1 for the redis-server processes the harness starts.
// The kernel picks the port (listen on 0); we remember what we handed out so two servers
// started concurrently by this process never get the same port.
import { createServer } from 'node:net';

const LOOPBACK = '127.0.0.1';
// Redis Cluster listens on port + 10000 for its node-to-node bus.
const CLUSTER_BUS_OFFSET = 10_000;
const MAX_TCP_PORT = 65_535;
const MAX_ATTEMPTS = 50;

const handedOut = new Set<number>();

/** Returns true when `port` can be bound on 127.0.0.1 right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

function listenOnEphemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: LOOPBACK, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** A free port on 127.0.0.1 not yet handed out by this process. */
export async function findFreePort(): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const port = await listenOnEphemeralPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`findFreePort: no free port found after ${MAX_ATTEMPTS} attempts`);
}

/** A free port whose cluster bus port (port + 10000) is free as well. */
export async function findFreeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const port = await listenOnEphemeralPort();
    const busPort = port + CLUSTER_BUS_OFFSET;
    if (busPort > MAX_TCP_PORT || handedOut.has(port) || handedOut.has(busPort)) continue;
    if (!(await isPortFree(busPort))) continue;
    handedOut.add(port);
    handedOut.add(busPort);
    return port;
  }
  throw new Error(`findFreeClusterPort: no free port pair found after ${MAX_ATTEMPTS} attempts`);
}
