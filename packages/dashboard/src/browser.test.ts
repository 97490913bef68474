// End to end in Debian's headless Chromium, driven by playwright-core: what an operator
// does on the dashboard, with screenshots under test-output/ (git-ignored) to look at.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PoolStatsReader } from '@leasehold/client';
import { chromiumLaunchOptions, describeEachTarget } from '@leasehold/testing';
import {
  HOUSEKEEPING_QUEUE,
  queuePrefix,
  recordPoolSamples,
  upsertSchedules,
} from '@leasehold/worker';
import { Queue } from 'bullmq';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { duplicateOf, PASSWORD, seedPool, useDashboards } from '../test/testSupport.js';
import { startDashboard } from './server.js';

const TOKEN = 'a-long-dashboard-token-0123456789';

/** Chromium reports each CSP refusal on the console: collected so a test can expect none. */
function watchCsp(page: Page): string[] {
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refusals.push(message.text());
  });
  page.on('pageerror', (error) => refusals.push(`page error: ${error.message}`));
  return refusals;
}

const SHOTS = fileURLToPath(new URL('../test-output/screenshots/', import.meta.url));

describeEachTarget('dashboard in headless Chromium', (ctx) => {
  const start = useDashboards(ctx);
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch(chromiumLaunchOptions());
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('overview → pool → disable a proxy from its row → /queues, no password on any page', async () => {
    const { prefix, manager, pool, proxies } = await seedPool(ctx, 'latam', 12);
    await manager.upsertPool({ name: 'eu-residential' });
    await manager.addProxies('eu-residential', [`http://eu:${PASSWORD}@10.8.0.1:3128`]);
    // Some life in the table: live leases, an open circuit, a rate-limit rest, successes.
    const [held, failing, limited] = proxies.map((p) => p.id);
    const only = (id: string | undefined) => ({
      exclude: proxies.filter((p) => p.id !== id).map((p) => p.id),
    });
    await manager.acquireProxy({ pool, filters: only(held) });
    for (let i = 0; i < 2; i++) {
      const lease = await manager.acquireProxy({ pool, filters: only(failing) });
      if (lease)
        await manager.releaseProxy(lease, {
          ok: false,
          error: 'timeout',
          message: 'connect timed out',
        });
    }
    const rl = await manager.acquireProxy({ pool, filters: only(limited) });
    if (rl)
      await manager.releaseProxy(rl, {
        ok: false,
        error: 'rate_limit',
        statusCode: 429,
        retryAfterMs: 60_000,
      });
    // The worker's samples, taken by hand between bursts so the charts have a shape.
    const sampler = {
      manager,
      redis: ctx.redis(),
      statsReader: new PoolStatsReader(ctx.redis(), manager.keys),
    };
    await recordPoolSamples(sampler);
    for (let i = 0; i < 20; i++) {
      const lease = await manager.acquireProxy({ pool, selector: 'round-robin' });
      if (lease)
        await manager.releaseProxy(
          lease,
          i === 8 || i === 9
            ? { ok: false, error: 'network' }
            : { ok: true, latencyMs: 80 + i * 15 },
        );
      if ([1, 4, 11, 12, 19].includes(i)) await recordPoolSamples(sampler);
    }
    const queue = new Queue(HOUSEKEEPING_QUEUE, {
      connection: duplicateOf(ctx.redis()),
      prefix: queuePrefix(prefix),
    });
    await upsertSchedules(queue, {
      leaseExpiryMs: 5000,
      cooldownRecoveryMs: 5000,
      persistErrorLogsMs: 10_000,
      poolSamplesMs: 5000,
    });
    await queue.close();
    await queue.disconnect();

    const { url } = await start({ prefix });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const refusals = watchCsp(page);
    const seen: string[] = [];
    const visit = async (path: string, shot?: string) => {
      await page.goto(url + path);
      seen.push(await page.content());
      if (shot)
        await page.screenshot({ path: `${SHOTS}${ctx.target.kind}-${shot}.png`, fullPage: true });
    };

    await visit('/', 'overview');
    expect(await page.locator('tr[data-pool="latam"] td').nth(1).textContent()).toBe('12');
    expect(await page.locator('tr[data-pool="eu-residential"]').count()).toBe(1);
    await page.click('a[href="/pools/latam"]');
    await page.waitForURL(`${url}/pools/latam`);
    seen.push(await page.content());
    await page.screenshot({ path: `${SHOTS}${ctx.target.kind}-pool.png`, fullPage: true });
    // Six samples: five intervals per chart line.
    const acquires = page.locator('polyline[data-series="acquires"]');
    expect((await acquires.getAttribute('points'))?.split(' ')).toHaveLength(5);
    // Legend swatches are SVGs styled by the stylesheet (no inline style under the CSP): each
    // stays a 10×3 swatch, and no chart card grows past its plot (a legend once took 380 px).
    const swatches = await page
      .locator('.chart .legend svg')
      .evaluateAll((nodes) =>
        nodes.map((n) => [n.getBoundingClientRect().width, n.getBoundingClientRect().height]),
      );
    expect(swatches.length).toBeGreaterThan(0);
    expect(swatches.every(([w, h]) => w === 10 && h === 3)).toBe(true);
    const cardHeights = await page
      .locator('figure.chart')
      .evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().height));
    expect(Math.max(...cardHeights)).toBeLessThan(220);

    const target = proxies[5]?.id as string;
    const row = page.locator(`tr[data-proxy="${target}"]`);
    expect(await row.getAttribute('data-state')).toBe('active');
    let dialog = '';
    page.once('dialog', (d) => {
      dialog = d.message();
      void d.accept();
    });
    await row.locator('button', { hasText: 'disable' }).click();
    await page.waitForURL(/done=disable/);
    expect(dialog).toContain(`disable proxy ${target}`);
    expect((await manager.getProxyState(pool, target)).status).toBe('disabled');
    expect(await page.locator(`tr[data-proxy="${target}"]`).getAttribute('data-state')).toBe(
      'disabled',
    );
    expect(await page.locator('.notice').textContent()).toContain(`Disabled proxy ${target}.`);
    seen.push(await page.content());
    await page.screenshot({
      path: `${SHOTS}${ctx.target.kind}-pool-after-disable.png`,
      fullPage: true,
    });

    // Dismissing the confirmation writes nothing.
    page.once('dialog', (d) => void d.dismiss());
    await page.locator(`tr[data-proxy="${target}"] button`, { hasText: 'enable' }).click();
    expect((await manager.getProxyState(pool, target)).status).toBe('disabled');

    // The pool page is live: a change made elsewhere shows without a reload (5 s polling).
    await page.goto(`${url}/pools/latam`);
    // A mark on this document: gone if the page were reloaded.
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    await manager.transitionProxyState(pool, target, 'active', 'changed elsewhere');
    await page
      .locator(`tr[data-proxy="${target}"][data-state="active"]`)
      .waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => 'sameDocument' in globalThis)).toBe(true);

    await visit('/pools/latam/errors', 'errors');
    await visit('/queues');
    await page.getByText(HOUSEKEEPING_QUEUE).first().click({ timeout: 15_000 });
    await page.getByText('Delayed').first().waitFor({ timeout: 15_000 });
    await page.waitForLoadState('networkidle');
    seen.push(await page.content());
    await page.screenshot({ path: `${SHOTS}${ctx.target.kind}-queues.png`, fullPage: true });

    for (const html of seen) expect(html).not.toContain(PASSWORD);
    // The pages, their live refresh and bull-board all ran under their CSP without a refusal.
    expect(refusals).toEqual([]);
    await page.close();
  });

  it('sign in from the form, land where you were going, sign out', async () => {
    const { prefix, pool } = await seedPool(ctx, 'latam', 2);
    const { url } = await start({ prefix, token: TOKEN });
    const page = await browser.newPage();
    const refusals = watchCsp(page);
    await page.goto(`${url}/pools/${pool}`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill('input[name="token"]', 'not-the-token-at-all');
    await page.click('button[type="submit"]');
    await page.waitForURL(/notice=failed/);
    expect(await page.locator('.notice').textContent()).toBe('Wrong token.');
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${url}/pools/${pool}`);
    expect(await page.locator('tr[data-proxy]').count()).toBe(2);
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(TOKEN);
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/notice=signedOut/);
    expect(await page.locator('.notice').textContent()).toBe('Signed out.');
    expect(await page.context().cookies()).toEqual([]);
    await page.goto(`${url}/`);
    await page.waitForURL(/\/login/);
    expect(refusals).toEqual([]);
    await page.close();
  });

  it('a non-loopback bind without a token refuses to start', async () => {
    await expect(startDashboard({ host: '0.0.0.0', port: 0, redis: ctx.redis() })).rejects.toThrow(
      /token/,
    );
  });
});
