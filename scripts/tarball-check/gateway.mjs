// What a user of @leasehold/gateway writes, run by scripts/check-tarballs.sh in the empty npm
// project that installed the tarballs, against the private redis-server in REDIS_URL: a gateway
// on loopback leasing from a pool whose proxy is @leasehold/forward-proxy, and a plain request
// through it (node:http, as any HTTP client sends one to a proxy). Plain ESM, no build step.
import { createServer, request } from 'node:http';
import { ProxyManager } from '@leasehold/client';
import { startForwardProxy } from '@leasehold/forward-proxy';
import { startGateway } from '@leasehold/gateway';

const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const site = createServer((req, res) => res.end(`hello from ${req.url}`));
const sitePort = await new Promise((resolve) =>
  site.listen(0, '127.0.0.1', () => resolve(site.address().port)),
);
const upstream = await startForwardProxy({ auth: { username: 'packed', password: 's3cret@x' } });
const prefix = 'tarball-gateway';
const pool = 'gateway-packed';
const token = 'packed-gateway-token-42';
const manager = new ProxyManager({ redis: process.env.REDIS_URL, prefix });
const gateway = await startGateway({ redis: process.env.REDIS_URL, prefix, pool, port: 0, token });
try {
  await manager.upsertPool({ name: pool });
  const [record] = await manager.addProxies(pool, [upstream.url]);
  const answer = await new Promise((resolve, reject) => {
    const auth = `Basic ${Buffer.from(`:${token}`).toString('base64')}`;
    const req = request(
      {
        host: '127.0.0.1',
        port: gateway.port,
        path: `http://127.0.0.1:${sitePort}/page`,
        headers: { 'proxy-authorization': auth },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ res, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
  check(
    answer.res.statusCode === 200 && answer.body === 'hello from /page',
    'the gateway got the page',
  );
  check(answer.res.headers['x-leasehold-proxy'] === record.id, 'x-leasehold-proxy names the proxy');
  check(upstream.requests === 1, `the upstream served it (${upstream.requests} request)`);
  check((await manager.getPoolStats(pool)).totalLeases === 0, 'the lease is back in its pool');
} finally {
  await gateway.close();
  await manager.close();
  await upstream.close();
  site.closeAllConnections?.();
  site.close();
}
if (failures.length > 0) {
  console.error(`gateway.mjs: ${failures.length} check(s) failed`);
  process.exit(1);
}
