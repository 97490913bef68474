// Starts @leasehold/dashboard from its tarball against REDIS_URL and reads its pages, as a
// user's script would (run by scripts/check-tarballs.sh after lease.mjs made pool "packed").
import { startDashboard } from '@leasehold/dashboard';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL);
const dashboard = await startDashboard({ redis, port: 0, prefix: process.env.LEASEHOLD_PREFIX });
try {
  for (const [path, expected] of [
    ['/healthz', '"status":"ok"'],
    ['/', 'data-pool="packed"'],
    ['/pools/packed', 'Leases/cap'],
    ['/metrics', 'pool_proxies{pool="packed"}'],
    ['/queues', '<html'],
    // The script and stylesheet ship as files in assets/, read from dist/routes/.
    ['/assets/app.js', 'data-confirm'],
    ['/assets/app.css', '.pill'],
  ]) {
    const res = await fetch(dashboard.url + path);
    const body = await res.text();
    if (!res.ok || !body.includes(expected))
      throw new Error(`GET ${path}: ${res.status}, expected ${expected} in the body`);
    console.log(`  ok   GET ${path}`);
  }
  try {
    await startDashboard({ redis, host: '0.0.0.0', port: 0 });
    throw new Error('a 0.0.0.0 bind without a token started');
  } catch (error) {
    if (error.code !== 'VALIDATION' || !error.hint?.includes('LEASEHOLD_DASHBOARD_TOKEN'))
      throw error;
    console.log('  ok   refuses 0.0.0.0 without a token');
  }
} finally {
  await dashboard.close();
  redis.disconnect();
}
