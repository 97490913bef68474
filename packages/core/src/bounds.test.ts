import { validationErrorOf } from '@leasehold/testing';
import { describe, expect, it } from 'vitest';
import { LIMITS, utf8Bytes } from './bounds.js';
import { classifyOutcome, parseRetryAfter } from './outcomes.js';
import { parseProxyUrl } from './proxyUrl.js';
import { redactCredentials, redactMessage } from './redaction.js';
import { AcquireOptionsSchema } from './schemas/acquire.js';
import { OutcomeSchema } from './schemas/outcomes.js';
import { parseInput } from './schemas/parseInput.js';
import { PoolSettingsSchema } from './schemas/poolSettings.js';
import { ProxyInputSchema } from './schemas/proxies.js';

const LONE = '\uD800';

describe('number bounds', () => {
  it.each([
    [{ name: 'p', leaseSeconds: 1e14 }, 'pool.leaseSeconds'],
    [{ name: 'p', cooldown: { baseSeconds: 1e14, maxSeconds: 1e15 } }, 'pool.cooldown.baseSeconds'],
    [
      { name: 'p', cooldown: { baseSeconds: 1, maxSeconds: 31 * 86400 } },
      'pool.cooldown.maxSeconds',
    ],
    [{ name: 'p', session: { maxAgeSeconds: 1e14 } }, 'pool.session.maxAgeSeconds'],
    [{ name: 'p', session: { maxUsageCount: 1e12 } }, 'pool.session.maxUsageCount'],
    [{ name: 'p', failureThreshold: 2 ** 40 }, 'pool.failureThreshold'],
    [{ name: 'p', maxSessions: 1e9 }, 'pool.maxSessions'],
  ])('pool settings %j are rejected naming %s', (input, field) => {
    expect(validationErrorOf(() => parseInput(PoolSettingsSchema, input, 'pool')).field).toBe(
      field,
    );
  });

  it('accepts exactly 30 days and fractions of a second', () => {
    const max = LIMITS.maxSeconds;
    expect(() =>
      parseInput(PoolSettingsSchema, {
        name: 'p',
        leaseSeconds: max,
        cooldown: { baseSeconds: 0.5, maxSeconds: max },
        session: { maxAgeSeconds: max },
      }),
    ).not.toThrow();
    const acquire = (o: object) => parseInput(AcquireOptionsSchema, { pool: 'p', ...o }, 'options');
    expect(validationErrorOf(() => acquire({ durationSeconds: max + 1 })).field).toBe(
      'options.durationSeconds',
    );
    expect(validationErrorOf(() => acquire({ waitMs: 1e12 })).field).toBe('options.waitMs');
  });
});

describe('well-formed strings', () => {
  it.each([
    [{ pool: 'p', consumer: `w${LONE}` }, 'options.consumer'],
    [{ pool: 'p', scope: `example.com${LONE}` }, 'options.scope'],
    [{ pool: 'p', filters: { city: `\uDC00x` } }, 'options.filters.city'],
  ])('acquire options %j name %s', (input, field) => {
    expect(validationErrorOf(() => parseInput(AcquireOptionsSchema, input, 'options')).field).toBe(
      field,
    );
  });

  it('rejects a lone surrogate in a label, outcome message and sessionData, keeps pairs', () => {
    const proxy = (labels: object) =>
      parseInput(ProxyInputSchema, { url: 'http://h:1', labels }, 'proxies[700]');
    expect(validationErrorOf(() => proxy({ city: `Z${LONE}` })).field).toBe(
      'proxies[700].labels.city',
    );
    expect(proxy({ city: 'Zürich 🏔' }).labels.city).toBe('Zürich 🏔');
    const outcome = (o: object) => parseInput(OutcomeSchema, o, 'outcome');
    expect(
      validationErrorOf(() => outcome({ ok: false, error: 'network', message: LONE })).field,
    ).toBe('outcome.message');
    expect(validationErrorOf(() => outcome({ ok: true, sessionData: `a${LONE}` })).field).toBe(
      'outcome.sessionData',
    );
  });

  it('limits sessionData in UTF-8 bytes, not UTF-16 units', () => {
    const outcome = (sessionData: string) => parseInput(OutcomeSchema, { ok: true, sessionData });
    const euros = '€'.repeat(30_000); // 30,000 UTF-16 units, 90,000 bytes
    expect(euros.length).toBeLessThan(LIMITS.maxSessionDataBytes);
    expect(utf8Bytes(euros)).toBeGreaterThan(LIMITS.maxSessionDataBytes);
    expect(validationErrorOf(() => outcome(euros)).field).toBe('sessionData');
    expect(() => outcome('a'.repeat(LIMITS.maxSessionDataBytes))).not.toThrow();
  });
});

describe('proxy URLs', () => {
  it.each([
    ['http://[fe80::1%eth0]:80', 'proxies[4].url.host'],
    ['http://[fe80::1%25eth0]:80', 'proxies[4].url.host'],
    ['http://us%zzer:pw@host:1', 'proxies[4].url.username'],
    ['http://user:p%@host:1', 'proxies[4].url.password'],
    ['http://user:p%ED%A0%80@host:1', 'proxies[4].url.password'],
    [`http://user:p${LONE}@host:1`, 'proxies[4].url'],
    [`http://user:${'x'.repeat(1024 * 1024)}@host:1`, 'proxies[4].url'],
  ])('%s is a ValidationError naming %s', (url, field) => {
    expect(validationErrorOf(() => parseProxyUrl(url, 'proxies[4].url')).field).toBe(field);
  });

  it('takes URLs up to the byte limit, through the schema too', () => {
    const head = 'http://user:';
    const tail = '@host:1';
    const exact = `${head}${'x'.repeat(LIMITS.maxProxyUrlBytes - head.length - tail.length)}${tail}`;
    expect(parseProxyUrl(exact).password).toHaveLength(exact.length - head.length - tail.length);
    expect(
      validationErrorOf(() => parseInput(ProxyInputSchema, { url: `${exact}0` }, 'proxies[0]'))
        .field,
    ).toBe('proxies[0].url');
  });
});

describe('classifyOutcome', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const selfCause: { message: string; cause?: unknown } = { message: 'loop' };
  selfCause.cause = selfCause;
  const deep = Array.from({ length: 10_000 }).reduce<object>((cause) => ({ cause }), {
    code: 'ECONNRESET',
  });
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
    },
  );
  const cases: [string, Parameters<typeof classifyOutcome>[0], object][] = [
    ['429 two days ahead', { statusCode: 429, retryAfter: '172800' }, { retryAfterMs: 86_400_000 }],
    [
      '429 date a year ahead',
      { statusCode: 429, retryAfter: 'Tue, 23 Nov 2027 12:00:00 GMT', now },
      { retryAfterMs: 86_400_000 },
    ],
    [
      '429 date in the past',
      { statusCode: 429, retryAfter: 'Mon, 23 Nov 2020 12:00:00 GMT', now },
      { retryAfterMs: 0 },
    ],
    ['429 1e400', { statusCode: 429, retryAfter: '1e400' }, { error: 'rate_limit' }],
    ['429 digits', { statusCode: 429, retryAfter: '9'.repeat(400) }, { retryAfterMs: 86_400_000 }],
    ['429 -5', { statusCode: 429, retryAfter: -5 }, { retryAfterMs: 0 }],
    ['429 NaN now', { statusCode: 429, retryAfter: 'Mon, 23 Nov 2020 12:00:00 GMT', now: NaN }, {}],
    ['999', { statusCode: 999 }, { ok: false, error: 'blocked', statusCode: 999 }],
    ['600', { statusCode: 600 }, { ok: false, error: 'unknown', statusCode: 600 }],
    ['0', { statusCode: 0 }, { ok: false, error: 'network' }],
    ['NaN', { statusCode: Number.NaN }, { ok: false, error: 'unknown' }],
    ['1e9', { statusCode: 1e9 }, { ok: false, error: 'unknown' }],
    ['nothing', {}, { ok: false, error: 'unknown' }],
    ['self cause', { error: selfCause }, { ok: false, error: 'unknown' }],
    ['deep cause', { error: deep }, { ok: false, error: 'unknown' }],
    ['throwing getters', { error: hostile, statusCode: 502 }, { ok: false, statusCode: 502 }],
    ['a throwing input', hostile as Parameters<typeof classifyOutcome>[0], { error: 'unknown' }],
    ['error and status 70000', { error: new Error('x'), statusCode: 70_000 }, { ok: false }],
  ];

  it.each(cases)('%s gives a valid outcome', (_name, input, expected) => {
    const outcome = classifyOutcome(input);
    expect(outcome).toMatchObject(expected);
    expect(() => parseInput(OutcomeSchema, outcome)).not.toThrow();
  });

  it('never reads Retry-After as NaN', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2020 12:00:00 GMT', Number.NaN)).toBe(0);
  });
});

describe('redaction', () => {
  const credentials = { username: 'user-country-ar', password: 'p/ss w0rd"<>' };
  const encoded = encodeURIComponent(credentials.password);
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');

  it.each([
    `via http://user-country-ar:p/ss w0rd"<>@host:1 failed`,
    `via http://user-country-ar:${encoded}@host:1 failed`,
    `via http://user-country-ar:${encoded.toLowerCase()}@host:1 failed`,
    `proxy=user-country-ar:p/ss w0rd"<>@host:1`,
    `{"username":"user-country-ar","password":${JSON.stringify(credentials.password)}}`,
    `Proxy-Authorization: Basic ${basic}`,
    `header ${basic.replace(/=+$/, '')} seen`,
    `password is p/ss w0rd"<> really`,
  ])('the lease password leaves no trace: %s', (message) => {
    const out = redactMessage(message, credentials);
    for (const secret of ['p/ss', 'w0rd', encoded, basic.slice(0, 12)])
      expect(out).not.toContain(secret);
  });

  it.each([
    ['connect http://bob:q"uo<t>e@10.0.0.1:80 failed', 'q"uo'],
    ['{"password":"hunter\\"2"}', 'hunter'],
    ["{ 'proxyPassword': 'hunter2' }", 'hunter2'],
    ['Proxy-Authorization: Basic Ym9iOmh1bnRlcjI=', 'Ym9iOmh1bnRlcjI'],
    ['"authorization":"Bearer abc.def.ghi"', 'abc.def'],
    ['sent Basic Ym9iOmh1bnRlcjI= upstream', 'Ym9iOmh1bnRlcjI'],
  ])('patterns mask credentials it was not told: %s', (text, secret) => {
    expect(redactCredentials(text)).not.toContain(secret);
  });

  it('stays linear on hostile 100 KB lines (no regex backtracking blow-up)', () => {
    const n = 100_000;
    const started = performance.now();
    for (const text of [
      'a'.repeat(n),
      'a-'.repeat(n / 2),
      '=a:'.repeat(n / 3),
      'password:"a'.repeat(n / 11),
      `Basic ${'A'.repeat(n)}`,
    ])
      redactCredentials(text);
    // Unbounded patterns took over 30 s for one of these; bounded ones take well under 1 s.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('keeps ordinary text', () => {
    for (const text of [
      'Basic authentication failed',
      'mail bob@example.com at 12:30',
      'GET https://shop.example/p/1 returned 503',
    ])
      expect(redactCredentials(text)).toBe(text);
  });
});
