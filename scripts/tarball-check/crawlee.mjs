// @leasehold/crawlee from its tarball, with its peer @crawlee/core installed by npm: the
// Crawlee glue leases a proxy of the pool lease.mjs made for one request attempt and gives it
// back. Run by scripts/check-tarballs.sh against the private redis-server in REDIS_URL.
import { ProxyConfiguration } from '@crawlee/core';
import { ProxyManager, ValidationError } from '@leasehold/client';
import { LeaseholdSessions, leaseholdForCrawlee } from '@leasehold/crawlee';

const pool = 'packed';
const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const manager = new ProxyManager({ redis: process.env.REDIS_URL, prefix: 'tarball' });
try {
  let invalid;
  try {
    leaseholdForCrawlee(manager, { pool: 'no spaces allowed' });
  } catch (error) {
    invalid = error;
  }
  check(
    invalid instanceof ValidationError,
    'bad options: a ValidationError from @leasehold/client',
  );
  const leasehold = leaseholdForCrawlee(manager, { pool, waitMs: 0 });
  check(
    leasehold.proxyConfiguration instanceof ProxyConfiguration,
    "proxyConfiguration is the peer @crawlee/core's ProxyConfiguration",
  );
  const request = { id: 'r1', uniqueKey: 'r1', url: 'http://shop.example/p/1' };
  const info = await leasehold.proxyConfiguration.newProxyInfo('crawlee-session-1', { request });
  check(info?.hostname === '192.0.2.10', "newProxyInfo leases the pool's proxy for a request");
  check((await manager.getPoolStats(pool)).totalLeases === 1, 'one live lease while it runs');
  check(
    typeof leasehold.leaseholdSessionId('crawlee-session-1') === 'string',
    'the Crawlee session is bound to a Leasehold session',
  );
  check((await leasehold.releaseAll()) === 1, 'releaseAll gives the lease back');
  check((await manager.getPoolStats(pool)).totalLeases === 0, 'no live lease after it');
  check(typeof LeaseholdSessions === 'function', 'LeaseholdSessions is exported');
} finally {
  await manager.close();
}

if (failures.length > 0) process.exit(1);
