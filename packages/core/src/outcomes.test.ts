import { describe, expect, it } from 'vitest';
import { classifyOutcome, parseRetryAfter } from './outcomes.js';

describe('classifyOutcome', () => {
  it.each([
    [200, { ok: true }],
    [302, { ok: true }],
    [404, { ok: true }],
    [401, { ok: false, error: 'auth', statusCode: 401 }],
    [407, { ok: false, error: 'auth', statusCode: 407 }],
    [403, { ok: false, error: 'blocked', statusCode: 403 }],
    [429, { ok: false, error: 'rate_limit', statusCode: 429 }],
    [500, { ok: false, error: 'server', statusCode: 500 }],
    [502, { ok: false, error: 'server', statusCode: 502 }],
    [504, { ok: false, error: 'timeout', statusCode: 504 }],
  ])('status %i', (statusCode, expected) => {
    expect(classifyOutcome({ statusCode })).toEqual(expected);
  });

  it('reads Retry-After on a 429 in seconds or as an HTTP date', () => {
    expect(classifyOutcome({ statusCode: 429, retryAfter: '30' })).toEqual({
      ok: false,
      error: 'rate_limit',
      statusCode: 429,
      retryAfterMs: 30_000,
    });
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(
      classifyOutcome({ statusCode: 429, retryAfter: 'Mon, 23 Nov 2026 12:00:05 GMT', now }),
    ).toMatchObject({
      retryAfterMs: 5000,
    });
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it.each([
    ['ECONNRESET', 'network'],
    ['ECONNREFUSED', 'network'],
    ['ENOTFOUND', 'network'],
    ['ETIMEDOUT', 'timeout'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['EWHATEVER', 'unknown'],
  ])('Node error code %s is %s', (code, category) => {
    const error = Object.assign(new Error('boom'), { code });
    expect(classifyOutcome({ error })).toEqual({ ok: false, error: category });
  });

  it('looks through fetch() causes, abort/timeout names and proxy 407 messages', () => {
    const fetchFailed = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }),
    });
    expect(classifyOutcome({ error: fetchFailed })).toMatchObject({ error: 'network' });
    expect(classifyOutcome({ error: new DOMException('aborted', 'TimeoutError') })).toMatchObject({
      error: 'timeout',
    });
    expect(
      classifyOutcome({
        error: new Error('Proxy responded with 407 Proxy Authentication Required'),
      }),
    ).toMatchObject({
      error: 'auth',
    });
  });

  it("reads undici's refused tunnel (an AbortError under fetch's TypeError) as auth, not timeout", () => {
    const tunnelRefused = Object.assign(
      new Error('Proxy response (407) !== 200 when HTTP Tunneling'),
      { name: 'AbortError', code: 'UND_ERR_ABORTED' },
    );
    expect(classifyOutcome({ error: tunnelRefused })).toEqual({ ok: false, error: 'auth' });
    const viaFetch = new TypeError('fetch failed', { cause: tunnelRefused });
    expect(classifyOutcome({ error: viaFetch })).toEqual({ ok: false, error: 'auth' });
    // A plain abort stays a timeout.
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(classifyOutcome({ error: aborted })).toEqual({ ok: false, error: 'timeout' });
  });
});
