import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import {
  fillGatewayUrl,
  gatewaySessionToken,
  gatewayTemplateOf,
  parseGatewayTemplate,
} from './gatewaySession.js';
import { parseProxyUrl, proxyIdFromUrl, redactProxyUrl } from './proxyUrl.js';

function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const template = (url: string) => parseGatewayTemplate(parseProxyUrl(url, 'u'), 'u');

describe('gatewaySessionToken', () => {
  it('is stable: pinned values, so running sessions keep their exit across versions', () => {
    expect(gatewaySessionToken('checkout-42')).toBe('x0ya73k568wtxlyo');
    expect(gatewaySessionToken('checkout-42', 8)).toBe('68wtxlyo');
    expect(gatewaySessionToken('a')).toBe('899xyob7506ge857');
  });

  it('is lower-case letters and digits of the asked length, distinct per session', () => {
    const ids = ['s_1.a-b', 's_1.a-c', 'ünïcode', 'x'.repeat(512)];
    const tokens = ids.map((id) => gatewaySessionToken(id));
    for (const token of tokens) expect(token).toMatch(/^[0-9a-z]{16}$/);
    expect(new Set(tokens).size).toBe(ids.length);
    for (const length of [4, 8, 32]) expect(gatewaySessionToken('s', length)).toHaveLength(length);
  });

  it('rejects an empty key and a length out of range', () => {
    expect(validationError(() => gatewaySessionToken('')).field).toBe('sessionId');
    for (const length of [3, 33, 8.5])
      expect(validationError(() => gatewaySessionToken('s', length)).field).toBe('length');
  });
});

describe('parseGatewayTemplate', () => {
  it('finds {session} in the username or the password; none in an ordinary proxy', () => {
    expect(template('http://cust-acme-session-{session}:pw@gw.example:7777')).toEqual({
      in: 'username',
      tokenLength: 16,
    });
    expect(template('http://user:pw_session-{session:8}_lifetime-30m@gw.example:12321')).toEqual({
      in: 'password',
      tokenLength: 8,
    });
    // {session:N} in a username needs its colon encoded.
    expect(template('http://u-session-{session%3A10}:pw@gw.example:1')).toEqual({
      in: 'username',
      tokenLength: 10,
    });
    expect(template('http://user:pw@gw.example:7777')).toBeUndefined();
    // Braces that do not read as a placeholder stay literal password characters.
    expect(template('http://user:a{b!c}d{@gw.example:7777')).toBeUndefined();
  });

  it('rejects a second placeholder, unknown ones, bad lengths, and names the field', () => {
    const cases: [string, string][] = [
      ['http://u-{session}-{session}:pw@gw.example:1', 'u.username'],
      ['http://u-{session}:pw-{session}@gw.example:1', 'u.password'],
      ['http://u-{country}:pw@gw.example:1', 'u.username'],
      ['http://u:pw-{Session}@gw.example:1', 'u.password'],
      ['http://u:pw-{session:100}@gw.example:1', 'u.password'],
      ['http://u:pw-{session:}@gw.example:1', 'u.password'],
      ['http://u-{session:8}:pw@gw.example:1', 'u.username'],
    ];
    for (const [url, field] of cases) {
      const error = validationError(() => template(url));
      expect(error.field).toBe(field);
      expect(error.message).not.toMatch(/pw|u-/);
    }
    expect(
      validationError(() => parseProxyUrl('http://u:p@{session}.gw.example:1', 'u')).field,
    ).toBe('u.host');
    expect(validationError(() => parseProxyUrl('http://u:p@gw.example:{session}', 'u')).field).toBe(
      'u.port',
    );
  });
});

describe('fillGatewayUrl', () => {
  it('puts the token in place and keeps the rest of the URL canonical', () => {
    const parsed = parseProxyUrl('HTTP://cust-acme-cc-us-session-{session}:p%40ss@GW.example:7777');
    const token = gatewaySessionToken('s1');
    expect(fillGatewayUrl(parsed, 's1')).toEqual({
      url: `http://cust-acme-cc-us-session-${token}:p%40ss@gw.example:7777`,
      username: `cust-acme-cc-us-session-${token}`,
      password: 'p@ss',
      token,
    });
    const inPassword = parseProxyUrl('http://u:pw_session-{session:8}_lifetime-1h@gw.example:1');
    expect(fillGatewayUrl(inPassword, 's1')?.password).toBe(
      `pw_session-${gatewaySessionToken('s1', 8)}_lifetime-1h`,
    );
    expect(fillGatewayUrl(parseProxyUrl('http://u:pw@gw.example:1'), 's1')).toBeUndefined();
  });

  it('the template is the identity: encoded and raw braces are one proxy, redacted whole', () => {
    const raw = parseProxyUrl('http://u-session-{session}:pw@gw.example:7777');
    const encoded = parseProxyUrl('http://u-session-%7Bsession%7D:pw@gw.example:7777');
    expect(proxyIdFromUrl(raw.normalized)).toBe(proxyIdFromUrl(encoded.normalized));
    expect(gatewayTemplateOf(raw.normalized)).toEqual({ in: 'username', tokenLength: 16 });
    expect(redactProxyUrl(raw.normalized)).toBe('http://***:***@gw.example:7777');
  });
});
