import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { parseProxyUrl, proxyIdFromUrl, redactProxyUrl } from './proxyUrl.js';
import { redactCredentials } from './redaction.js';

describe('parseProxyUrl', () => {
  it('parses every supported protocol with its default port', () => {
    expect(parseProxyUrl('http://h.example').port).toBe(80);
    expect(parseProxyUrl('https://h.example').port).toBe(443);
    expect(parseProxyUrl('socks4://h.example').port).toBe(1080);
    expect(parseProxyUrl('socks5://h.example').port).toBe(1080);
  });

  it('takes a URL without scheme as http', () => {
    const p = parseProxyUrl('user:pw@10.0.0.1:3128');
    expect(p).toMatchObject({
      protocol: 'http',
      host: '10.0.0.1',
      port: 3128,
      username: 'user',
      password: 'pw',
    });
  });

  it('decodes percent-encoded credentials and keeps a raw @ in the password', () => {
    const p = parseProxyUrl('http://us%40er:p%3Ass@h.example:8080');
    expect(p.username).toBe('us@er');
    expect(p.password).toBe('p:ss');
    expect(parseProxyUrl('http://user:p@ss@h.example:8080').password).toBe('p@ss');
  });

  it('handles IPv6 in brackets and compresses the address', () => {
    const p = parseProxyUrl('socks5://u:p@[2001:0db8:0000::0001]:1080');
    expect(p.host).toBe('2001:db8::1');
    expect(p.normalized).toBe('socks5://u:p@[2001:db8::1]:1080');
  });

  it('normalises case, default ports and encoding so equal proxies share one id', () => {
    const a = parseProxyUrl('HTTP://User:Pass@Example.COM:80/');
    const b = parseProxyUrl('http://User:P%61ss@example.com');
    expect(a.normalized).toBe('http://User:Pass@example.com:80');
    expect(proxyIdFromUrl(a.normalized)).toBe(proxyIdFromUrl(b.normalized));
    expect(proxyIdFromUrl(a.normalized)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives gateways that differ only by username different ids', () => {
    const a = parseProxyUrl('http://customer-ar:pw@gw.example:7777').normalized;
    const b = parseProxyUrl('http://customer-br:pw@gw.example:7777').normalized;
    expect(proxyIdFromUrl(a)).not.toBe(proxyIdFromUrl(b));
  });

  it.each([
    ['ftp://h.example:21', 'url.protocol'],
    ['http://h.example:0', 'url.port'],
    ['http://h.example:65536', 'url.port'],
    ['http://h.example:12ab', 'url.port'],
    ['http://[::1:1080', 'url.host'],
    ['http://[zz::1]:1080', 'url.host'],
    ['http://::1:1080', 'url.host'],
    ['http://h.example:80/path', 'url'],
    ['http://bad_%zz:pw@h.example:80', 'url.username'],
    ['', 'url'],
    ['http://a b:1', 'url'],
  ])('rejects %s naming %s', (input, field) => {
    try {
      parseProxyUrl(input);
      expect.unreachable('should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('never puts the password in an error message', () => {
    expect(() => parseProxyUrl('http://user:s3cret@h.example:99999')).toThrow(/out of range/);
    try {
      parseProxyUrl('http://user:s3cret@h.example:99999');
    } catch (error) {
      expect(String(error)).not.toContain('s3cret');
    }
  });
});

describe('redactProxyUrl', () => {
  it('masks username and password', () => {
    expect(redactProxyUrl('http://user:s3cret@10.0.0.1:8080')).toBe('http://***:***@10.0.0.1:8080');
    expect(redactProxyUrl('socks5://[::1]:1080')).toBe('socks5://[::1]:1080');
  });

  it('never returns credentials even for an unparseable URL', () => {
    const out = redactProxyUrl('gopher://user:s3cret@host');
    expect(out).not.toContain('s3cret');
    expect(out).not.toContain('user');
  });
});

describe('redactCredentials', () => {
  it.each([
    ['boom via http://u:p@ss@10.0.0.1:80/x', 'boom via http://***:***@10.0.0.1:80/x'],
    ['user:secret@host:8080 failed', '***:***@host:8080 failed'],
    ['proxy=user:pw@1.2.3.4:80', 'proxy=***:***@1.2.3.4:80'],
    ['socks5://a:b@[::1]:1080', 'socks5://***:***@[::1]:1080'],
    ['mail bob@example.com at 12:30', 'mail bob@example.com at 12:30'],
  ])('%s', (input, expected) => {
    expect(redactCredentials(input)).toBe(expected);
  });
});
