// toPlaywrightProxy: the mapping, and Debian's headless Chromium (playwright-core) loading a
// page of the loopback site through an authenticated loopback proxy leased from a pool.
import { chromiumLaunchOptions, describeEachTarget } from '@leasehold/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, served, USER, useHttpFixtures } from '../test/testSupport.js';
import { UnsupportedProxyError } from './errors.js';
import { toPlaywrightProxy } from './playwright.js';

const proxy = (fields: Record<string, unknown>) => ({
  proxy: {
    protocol: 'http',
    host: '10.0.0.1',
    port: 8080,
    labels: {},
    tags: [],
    url: '',
    ...fields,
  },
});

describe('toPlaywrightProxy', () => {
  it('http(s): server without credentials, decoded username and password beside it', () => {
    expect(toPlaywrightProxy(proxy({ username: 'u@x', password: 'p:w/%' }) as never)).toEqual({
      server: 'http://10.0.0.1:8080',
      username: 'u@x',
      password: 'p:w/%',
    });
    expect(toPlaywrightProxy(proxy({ protocol: 'https', port: 443 }) as never)).toEqual({
      server: 'https://10.0.0.1:443',
    });
    expect(toPlaywrightProxy(proxy({ host: '::1' }) as never)).toEqual({
      server: 'http://[::1]:8080',
    });
  });

  it('socks5 without credentials is fine; with credentials a typed error that keeps the password out', () => {
    expect(toPlaywrightProxy(proxy({ protocol: 'socks5', port: 1080 }) as never)).toEqual({
      server: 'socks5://10.0.0.1:1080',
    });
    const error = (() => {
      try {
        toPlaywrightProxy(
          proxy({ protocol: 'socks5', username: 'user', password: 'hunter22' }) as never,
        );
      } catch (e) {
        return e;
      }
    })() as UnsupportedProxyError;
    expect(error).toBeInstanceOf(UnsupportedProxyError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_PROXY', field: 'proxy.protocol' });
    expect(error.message).toMatch(/Chromium/);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('hunter22');
  });

  it('a lease without a usable proxy is a ValidationError', () => {
    expect(() => toPlaywrightProxy(proxy({ port: 0 }) as never)).toThrow(/lease\.proxy\.port/);
    expect(() => toPlaywrightProxy({} as never)).toThrow(/lease\.proxy/);
  });
});

describeEachTarget(
  'Playwright in Chromium through toPlaywrightProxy(lease)',
  (ctx) => {
    const fx = useHttpFixtures(ctx);
    let browser: Browser;

    beforeAll(async () => {
      browser = await chromium.launch(chromiumLaunchOptions());
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('loads a page of the site through the leased, authenticated proxy', async () => {
      const { manager, pool } = await fx.pool();
      const httpProxy = await fx.httpProxy();
      await manager.addProxies(pool, [httpProxy.url]);
      const lease = await manager.acquireProxy({ pool });
      if (!lease) throw new Error('no lease');
      try {
        const settings = toPlaywrightProxy(lease);
        expect(settings).toEqual({
          server: `http://127.0.0.1:${httpProxy.port}`,
          username: USER,
          password: PASSWORD,
        });
        const context = await browser.newContext({ proxy: settings });
        try {
          const page = await context.newPage();
          const before = fx.sites.http.hits('/page');
          const answer = await page.goto(`${fx.sites.http.origin}/page`);
          expect(answer?.status()).toBe(200);
          expect(await page.title()).toBe('Leasehold target');
          expect(fx.sites.http.hits('/page')).toBe(before + 1);
        } finally {
          await context.close();
        }
        await manager.releaseProxy(lease, { ok: true });
      } catch (error) {
        await manager.releaseProxy(lease);
        throw error;
      }
      // The proxy served the page (Chromium first asks without credentials, gets a 407, then
      // retries with them): every accepted request carried the lease's username.
      expect(served(httpProxy)).toBeGreaterThanOrEqual(1);
      expect(new Set(httpProxy.usernames)).toEqual(new Set([USER]));
    });
  },
  { targets: ['standalone'] },
);
