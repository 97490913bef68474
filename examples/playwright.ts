/**
 * A Playwright scraper in Debian's Chromium: each page opens in a browser context whose proxy
 * is a lease (toPlaywrightProxy), and the page's status is reported when the lease goes back.
 *   pnpm example playwright   (CHROMIUM_PATH, default /usr/bin/chromium)
 */
import { classifyOutcome } from '@leasehold/client';
import { toPlaywrightProxy } from '@leasehold/http';
import { chromium } from 'playwright-core';
import { manager, pool, site } from './support/config.js';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  for (const path of ['/', '/products/2']) {
    const url = new URL(path, site).href;
    const lease = await manager.acquireProxy({ pool, scope: new URL(url).hostname, waitMs: 5_000 });
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
