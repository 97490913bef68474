import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface DemoSite {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Paths a scraper may fetch. */
  readonly pages: readonly string[];
  close(): Promise<void>;
}

const PAGES: Record<string, string> = {
  '/': '<h1>Leasehold demo shop</h1><a href="/products/1">first product</a>',
  '/products/1': '<h1>Kettle</h1><p>1.2 l, 39.90</p>',
  '/products/2': '<h1>Teapot</h1><p>0.8 l, 24.50</p>',
  '/products/3': '<h1>Mug</h1><p>0.3 l, 6.00</p>',
  '/search?q=tea': '<ul><li>Teapot</li><li>Tea towel</li></ul>',
};

/** A small site on loopback for the scrapers to fetch: a few pages, 10-40 ms per answer. */
export async function startDemoSite(): Promise<DemoSite> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const body = PAGES[req.url ?? ''];
    setTimeout(
      () => {
        if (body === undefined) res.writeHead(404).end('not found');
        else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      },
      10 + Math.random() * 30,
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    pages: Object.keys(PAGES),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
