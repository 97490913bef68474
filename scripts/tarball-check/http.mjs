// What a user of @leasehold/http writes, run by scripts/check-tarballs.sh in the empty npm
// project that installed the tarballs, against the private redis-server in REDIS_URL: a
// leasedFetch through a loopback forward proxy with Basic auth (node:http, inline) to a
// loopback site. Plain ESM, no build step.
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { ProxyManager } from '@leasehold/client';
import { closeSharedDispatchers, leasedFetch, toPlaywrightProxy } from '@leasehold/http';

const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

const site = createServer((req, res) => res.end(`hello from ${req.url}`));
const sitePort = await listen(site);

// A forward proxy: absolute-URI requests and CONNECT tunnels, Basic auth, usernames recorded.
const expected = `Basic ${Buffer.from('packed:s3cret@x').toString('base64')}`;
const seen = [];
const proxy = createServer((req, res) => {
  if (req.headers['proxy-authorization'] !== expected) return res.writeHead(407).end();
  seen.push(req.url);
  const target = new URL(req.url);
  const upstream = request(target, { method: req.method }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
});
proxy.on('connect', (req, socket) => {
  if (req.headers['proxy-authorization'] !== expected) {
    socket.end('HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  seen.push(`CONNECT ${req.url}`);
  const [host, port] = req.url.split(':');
  const upstream = connect(Number(port), host, () => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  socket.on('error', () => upstream.destroy());
  upstream.on('error', () => socket.destroy());
});
const proxyPort = await listen(proxy);

const manager = new ProxyManager({ redis: process.env.REDIS_URL, prefix: 'tarball-http' });
try {
  const pool = 'http-packed';
  await manager.upsertPool({ name: pool });
  await manager.addProxies(pool, [
    `http://packed:${encodeURIComponent('s3cret@x')}@127.0.0.1:${proxyPort}`,
  ]);
  const res = await leasedFetch(manager, `http://127.0.0.1:${sitePort}/page`, { pool });
  check(
    res.status === 200 && (await res.text()) === 'hello from /page',
    'leasedFetch got the page',
  );
  check(res.attempts === 1 && res.lease.pool === pool, 'res.attempts and res.lease are set');
  check(seen.length === 1, `the proxy served it (${seen.length} request or tunnel)`);
  check((await manager.getPoolStats(pool)).totalLeases === 0, 'the lease is back in its pool');
  check(
    toPlaywrightProxy(res.lease).password === 's3cret@x',
    'toPlaywrightProxy decodes the password',
  );
} finally {
  await closeSharedDispatchers();
  await manager.close();
  proxy.closeAllConnections?.();
  site.closeAllConnections?.();
  proxy.close();
  site.close();
}
if (failures.length > 0) {
  console.error(`http.mjs: ${failures.length} check(s) failed`);
  process.exit(1);
}
