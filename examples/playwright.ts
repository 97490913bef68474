/**
 * A Playwright scraper in Debian's Chromium: each page opens in a browser context whose proxy
 * is a lease (toPlaywrightProxy), and the page's status is reported when the lease goes back.
 *   pnpm example playwright   (CHROMIUM_PATH, default /usr/bin/chromium)
 */
import { classifyOutcome, ProxyManager } from '@leasehold/client';
import { toPlaywrightProxy } from '@leasehold/http';
import { chromium } from 'playwright-core';

const manager = new ProxyManager({
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: process.env.LEASEHOLD_PREFIX ?? 'lh',
});
const pool = process.env.LEASEHOLD_POOL ?? 'demo';
const site = process.env.TARGET_URL ?? 'http://127.0.0.1:8080';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // Chromium skips proxies for loopback targets unless told not to (the demo site is local).
    '--proxy-bypass-list=<-loopback>',
  ],
});
try {
  for (const path of ['/', '/products/2']) {
    const url = new URL(path, site).href;
    const lease = await manager.acquireProxy({ pool, scope: new URL(url).host, waitMs: 5_000 });
    if (!lease) throw new Error('no proxy free within 5 s');
    const context = await browser.newContext({ proxy: toPlaywrightProxy(lease) });
    try {
      const response = await context.newPage().then((page) => page.goto(url));
      const status = response?.status() ?? 0;
      const title = await response?.frame().locator('h1').first().textContent();
      await manager.releaseProxy(lease, classifyOutcome({ statusCode: status }));
      console.log(`${status} ${path.padEnd(12)} ${title ?? ''} via ${lease.proxyId}`);
    } catch (error) {
      await manager.releaseProxy(lease, classifyOutcome({ error }));
      throw error;
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  await manager.close();
}
