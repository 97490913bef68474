import { describe, expect, it } from 'vitest';
import { redactConnectionUrl, redactCredentials } from './redaction.js';
import { capturedLogger } from './testSupport.js';

describe('credential redaction', () => {
  it('masks the userinfo of any URL, with raw @ in the password too', () => {
    expect(redactCredentials('via http://bob:p@ss@10.0.0.1:8080/x and socks5://u:v@h:1080')).toBe(
      'via http://***:***@10.0.0.1:8080/x and socks5://***:***@h:1080',
    );
    expect(redactCredentials('redis://:redispw@cache:6379/0')).toBe('redis://***:***@cache:6379/0');
    expect(redactCredentials('host=db user=lh password=pgpw sslpassword=x')).toBe(
      'host=db user=lh password=*** sslpassword=***',
    );
    expect(redactCredentials('postgres://db/x?user=lh&password=pgpw&ssl=1')).toBe(
      'postgres://db/x?user=lh&password=***&ssl=1',
    );
    expect(redactCredentials('nothing to hide at http://host:80')).toBe(
      'nothing to hide at http://host:80',
    );
  });

  it('shortens connection URLs for logs', () => {
    expect(redactConnectionUrl('postgres://lh:pgpw@db:5432/leasehold')).toBe(
      'postgres://***:***@db:5432/leasehold',
    );
    expect(redactConnectionUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('keeps every secret out of the log lines, whatever the shape', () => {
    const { lines, logger } = capturedLogger();
    const lease = {
      id: 'l1',
      proxy: {
        url: 'http://alice:proxy-pw-1@10.0.0.1:8080',
        username: 'alice',
        password: 'proxy-pw-1',
      },
    };
    logger.info({ lease }, 'leased');
    logger.info({ proxy: lease.proxy }, 'proxy');
    logger.error(
      { err: new Error('connect failed via http://alice:proxy-pw-2@10.0.0.2:8080') },
      'request failed',
    );
    logger.warn(
      { databaseUrl: 'postgres://lh:db-pw-3@db/x', redisUrl: 'redis://:redis-pw-4@cache:6379' },
      'config',
    );
    logger.info('message with socks5://carol:proxy-pw-5@10.0.0.3:1080 inside');
    logger.child({ conn: 'postgres://lh:db-pw-6@db/x' }).info('child bindings too');
    logger.info(
      { nested: { deeper: { password: 'pw-7' } }, config: { password: 'pw-8' } },
      'nested',
    );

    const all = lines.join('');
    expect(lines).toHaveLength(7);
    for (const secret of [
      'proxy-pw-1',
      'proxy-pw-2',
      'db-pw-3',
      'redis-pw-4',
      'proxy-pw-5',
      'db-pw-6',
      'pw-7',
      'pw-8',
    ])
      expect(all).not.toContain(secret);
    expect(all).toContain('10.0.0.2:8080');
    expect(JSON.parse(lines[0] as string).lease.proxy.password).toBe('[redacted]');
  });
});
