// The username grammar against what a client may send: well-formed options, and hostile or
// malformed input refused with the key at fault (never echoing a value).
import { describe, expect, it } from 'vitest';
import { MAX_USERNAME_LENGTH, parseUsername, UsernameError } from './username.js';

function refusal(username: string): UsernameError {
  try {
    parseUsername(username);
  } catch (error) {
    if (error instanceof UsernameError) return error;
    throw error;
  }
  throw new Error(`accepted: ${username}`);
}

describe('parseUsername', () => {
  it('an empty username asks for nothing', () => {
    expect(parseUsername('')).toEqual({ labels: {} });
  });

  it('reads every option and label filters, values percent-decoded', () => {
    expect(
      parseUsername(
        'pool=latam,session=s-1,consumer=team%2Ca,scope=shop.example,wait=250,country=AR',
      ),
    ).toEqual({
      pool: 'latam',
      session: 's-1',
      consumer: 'team,a',
      scope: 'shop.example',
      waitMs: 250,
      labels: { country: 'AR' },
    });
    expect(parseUsername('city=S%C3%A3o%20Paulo').labels).toEqual({ city: 'São Paulo' });
  });

  it.each([
    ['pool', 'pool=../etc'],
    ['pool', 'pool='],
    ['pool', 'pool=...'],
    ['session', 'session=a b'],
    ['wait', 'wait=-1'],
    ['wait', 'wait=1e3'],
    ['wait', 'wait=99999999'],
    ['wait', 'wait=3600001'],
    ['scope', 'scope=a%7Cb'],
    ['consumer', 'consumer=a%0Ab'],
    ['pool', 'pool=a%ZZ'],
    ['pool', 'pool=a,pool=b'],
    ['Country', 'Country=AR'],
    ['__proto__', '__proto__=x'],
    ['exclude', 'exclude=p1'],
    ['tags', 'tags=a'],
    ['username', 'pool'],
    ['username', '=x'],
    ['username', 'pool=a,,country=AR'],
    ['username', 'x'.repeat(MAX_USERNAME_LENGTH + 1)],
    ['username', Array.from({ length: 17 }, (_, i) => `l${i}=v`).join(',')],
  ])('refuses %s in %j', (field, username) => {
    const error = refusal(username);
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it('a refusal names the key, not the value it carried', () => {
    const error = refusal('session=secret%20value');
    expect(error.message).not.toContain('secret');
  });
});
