import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One request the site answered, as a crawler test checks it. */
export interface SiteVisit {
  path: string;
  status: number;
  /** The `visitor` cookie the request carried, if any. */
  visitor?: string;
  /** The `visitor` cookie this answer set (/account), if any. */
  setVisitor?: string;
  /** The `x-crawler` header: which crawler (process) asked. */
  crawler?: string;
}

export interface DemoSite {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Paths a scraper may fetch. */
  readonly pages: readonly string[];
  /**
   * Paths for crawlers, beside `pages`: /catalog links to every page (and to /account and
   * /cart/1../cart/4); /account sets a `visitor` cookie; /cart/<n> answers whether the request
   * carried one; /blocked answers 403; /limited answers 429 with Retry-After: 30.
   */
  readonly crawlPages: readonly string[];
  /** Every request answered, in order. */
  readonly visits: readonly SiteVisit[];
  close(): Promise<void>;
}

const PAGES: Record<string, string> = {
  '/': '<h1>Leasehold demo shop</h1><a href="/products/1">first product</a>',
  '/products/1': '<h1>Kettle</h1><p>1.2 l, 39.90</p>',
  '/products/2': '<h1>Teapot</h1><p>0.8 l, 24.50</p>',
  '/products/3': '<h1>Mug</h1><p>0.3 l, 6.00</p>',
  '/search?q=tea': '<ul><li>Teapot</li><li>Tea towel</li></ul>',
};

const CARTS = ['/cart/1', '/cart/2', '/cart/3', '/cart/4'];
const CATALOG = `<h1>Catalog</h1>${[...Object.keys(PAGES), '/account', ...CARTS]
  .map((path) => `<a href="${path.replace('&', '&amp;')}">${path}</a>`)
  .join('')}`;
export const RETRY_AFTER_SECONDS = 30;

function visitorOf(req: IncomingMessage): string | undefined {
  return /(?:^|;\s*)visitor=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
}

/** A small site on loopback for the scrapers to fetch: a few pages, 10-40 ms per answer. */
export async function startDemoSite(): Promise<DemoSite> {
  const sockets = new Set<Socket>();
  const visits: SiteVisit[] = [];
  let visitors = 0;

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? '';
    const visit: SiteVisit = { path, status: 200 };
    const visitor = visitorOf(req);
    if (visitor !== undefined) visit.visitor = visitor;
    const crawler = req.headers['x-crawler'];
    if (typeof crawler === 'string') visit.crawler = crawler;
    const html = { 'content-type': 'text/html; charset=utf-8' };
    const body = PAGES[path];
    if (body !== undefined) res.writeHead(200, html).end(body);
    else if (path === '/catalog') res.writeHead(200, html).end(CATALOG);
    else if (path === '/account') {
      visit.setVisitor = `v${++visitors}`;
      res
        .writeHead(200, { ...html, 'set-cookie': `visitor=${visit.setVisitor}; Path=/; HttpOnly` })
        .end(`<h1>Welcome, ${visit.setVisitor}</h1>`);
    } else if (CARTS.includes(path)) {
      res.writeHead(200, html).end(`<p>${visitor ? `cart of ${visitor}` : 'no visitor'}</p>`);
    } else if (path === '/blocked') {
      visit.status = 403;
      res.writeHead(403, html).end('<h1>Forbidden</h1>');
    } else if (path === '/limited') {
      visit.status = 429;
      res
        .writeHead(429, { ...html, 'retry-after': String(RETRY_AFTER_SECONDS) })
        .end('<h1>Slow down</h1>');
    } else {
      visit.status = 404;
      res.writeHead(404).end('not found');
    }
    visits.push(visit);
  };

  const server: Server = createServer((req, res) => {
    setTimeout(() => answer(req, res), 10 + Math.random() * 30);
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
    crawlPages: ['/catalog', '/account', ...CARTS, '/blocked', '/limited'],
    visits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
