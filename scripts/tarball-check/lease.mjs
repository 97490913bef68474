// What a user of the published packages writes, run by scripts/check-tarballs.sh inside an
// empty npm project that installed the packed tarballs, against the private redis-server
// in REDIS_URL. Plain ESM: no TypeScript, no build step, no workspace.
import { classifyOutcome, ProxyManager } from '@leasehold/client';
import { Redis } from 'ioredis';

const pool = 'packed';
const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// By URL: ProxyManager opens and closes its own connection.
const manager = new ProxyManager({ redis: process.env.REDIS_URL, prefix: 'tarball' });
try {
  await manager.upsertPool({ name: pool, selector: 'least-used', leaseSeconds: 60 });
  const [proxy] = await manager.addProxies(pool, [
    { url: 'http://user:secret@192.0.2.10:8080', maxConcurrency: 1, labels: { country: 'AR' } },
  ]);
  const lease = await manager.acquireProxy({ pool, consumer: 'tarball-check' });
  check(lease?.proxyId === proxy.id, 'acquireProxy leases the proxy just added');
  check(lease?.proxy.password === 'secret', 'the lease carries the decoded credentials');
  check(
    (await manager.acquireProxy({ pool })) === null,
    'a second acquire of the cap-1 proxy answers null',
  );
  const released = await manager.releaseProxy(lease, classifyOutcome({ statusCode: 200 }));
  check(released.released === true, 'releaseProxy gives the lease back');
  const stats = await manager.getPoolStats(pool);
  check(
    stats.totalProxies === 1 && stats.totalLeases === 0 && stats.availableProxies === 1,
    'pool stats: 1 proxy, 0 leases, 1 available',
  );
} finally {
  await manager.close();
}

// With the user's own ioredis connection (the peer dependency: one copy in node_modules).
const redis = new Redis(process.env.REDIS_URL);
const own = new ProxyManager({ redis, prefix: 'tarball' });
try {
  const lease = await own.acquireProxy({ pool, filters: { country: 'AR' } });
  check(lease !== null, "a manager on the user's own ioredis instance leases");
  if (lease) await own.releaseProxy(lease);
} finally {
  await own.close();
  redis.disconnect();
}

if (failures.length > 0) {
  console.error(`lease.mjs: ${failures.length} check(s) failed`);
  process.exit(1);
}
