import { ValidationError } from '@leasehold/core';
import { describe, expect, it } from 'vitest';
import { parseProxyList } from './proxyList.js';

describe('parseProxyList', () => {
  it('drops a trailing `# comment` instead of taking it as part of the password', () => {
    const lines = parseProxyList(
      [
        '# a whole-line comment',
        '   # an indented one',
        '10.0.0.2:3128:bob:hunter2 # backup exit',
        '10.0.0.3:3128:carol:pa#ss\t# a # in a password stays',
        'http://alice:s3cret@10.0.0.1:8080   # main',
      ].join('\n'),
    );
    expect(lines.map((l) => l.url)).toEqual([
      'http://bob:hunter2@10.0.0.2:3128',
      'http://carol:pa%23ss@10.0.0.3:3128',
      'http://alice:s3cret@10.0.0.1:8080',
    ]);
    expect(lines.map((l) => l.line)).toEqual([3, 4, 5]);
  });

  it('still names the bad line when a comment follows it', () => {
    const error = (() => {
      try {
        parseProxyList('10.0.0.1:99999:u:p # typo in the port');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toContain('line 1');
  });
});
