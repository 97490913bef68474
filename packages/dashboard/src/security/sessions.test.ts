import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { form, seedPool, useDashboards } from '../../test/testSupport.js';
import type { Clock } from '../clock.js';
import { LOGIN_ATTEMPTS, LOGIN_WINDOW_MS } from './loginThrottle.js';
import { SESSION_MS } from './sessions.js';

const TOKEN = 'a-long-dashboard-token-0123456789';

/** The clock of sessions and login throttling, moved by hand. */
class ManualClock implements Clock {
  constructor(private at = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] as string;

describeEachTarget('dashboard sign-in: sessions that end, logout, throttled guessing', (ctx) => {
  const start = useDashboards(ctx);

  it('a session cookie lasts 12 hours, checked by the server too', async () => {
    const { prefix } = await seedPool(ctx);
    const clock = new ManualClock();
    const { url } = await start({ prefix, token: TOKEN, clock });
    const login = await fetch(`${url}/login`, form({ token: TOKEN }));
    expect(login.status).toBe(303);
    const header = login.headers.get('set-cookie') ?? '';
    expect(header).toMatch(/Max-Age=43200/);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).not.toContain(TOKEN);
    const cookie = cookieOf(login);
    const api = () => fetch(`${url}/api/pools`, { headers: { cookie } });
    expect((await api()).status).toBe(200);
    clock.advance(SESSION_MS - 1000);
    expect((await api()).status).toBe(200);
    // A browser would have dropped the cookie; one replayed by hand is refused as well.
    clock.advance(2000);
    expect((await api()).status).toBe(401);
  });

  it('sign out ends the session on the server and clears the cookie', async () => {
    const { prefix } = await seedPool(ctx);
    const { url } = await start({ prefix, token: TOKEN });
    const cookie = cookieOf(await fetch(`${url}/login`, form({ token: TOKEN })));
    const page = await (await fetch(`${url}/`, { headers: { cookie } })).text();
    expect(page).toContain('action="/logout"');
    const logout = await fetch(`${url}/logout`, { ...form({}), headers: { cookie } });
    expect(logout.status).toBe(303);
    expect(logout.headers.get('location')).toBe('/login?notice=signedOut');
    expect(logout.headers.get('set-cookie')).toMatch(/^lh_dashboard=; .*Max-Age=0/);
    expect((await fetch(`${url}/api/pools`, { headers: { cookie } })).status).toBe(401);
    const notice = await (await fetch(`${url}/login?notice=signedOut`)).text();
    expect(notice).toContain('Signed out.');
  });

  it(`after ${LOGIN_ATTEMPTS} wrong tokens a minute, logins from that address get 429 with Retry-After`, async () => {
    const { prefix } = await seedPool(ctx);
    const clock = new ManualClock();
    const { url } = await start({ prefix, token: TOKEN, clock });
    for (let i = 0; i < LOGIN_ATTEMPTS; i++) {
      const wrong = await fetch(`${url}/login`, form({ token: `wrong-token-number-${i}` }));
      expect(wrong.status).toBe(303);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      clock.advance(1000);
    }
    // Even the right token: a guesser must not learn when it got there.
    const throttled = await fetch(`${url}/login`, form({ token: TOKEN }));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('set-cookie')).toBeNull();
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBe((LOGIN_WINDOW_MS - LOGIN_ATTEMPTS * 1000) / 1000);
    expect(await throttled.text()).toContain('Too many wrong tokens');
    clock.advance(retryAfter * 1000);
    const again = await fetch(`${url}/login`, form({ token: TOKEN }));
    expect(again.status).toBe(303);
    expect(again.headers.get('set-cookie')).toMatch(/^lh_dashboard=/);
  });

  it('a notice on the login page is one of its own texts, never the query', async () => {
    const { prefix } = await seedPool(ctx);
    const { url } = await start({ prefix, token: TOKEN });
    for (const notice of ['constructor', '__proto__', 'Your session expired: call 555-0100'])
      expect(
        await (await fetch(`${url}/login?notice=${encodeURIComponent(notice)}`)).text(),
      ).not.toMatch(/class="notice"|function|555-0100/);
  });
});
