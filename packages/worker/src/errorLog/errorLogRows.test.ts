import { describe, expect, it } from 'vitest';
import { entryFromReply, rowFromEntry } from './errorLogRows.js';

describe('error-log rows', () => {
  it('maps every stream field to its column', () => {
    const entry = entryFromReply([
      '1700000000123-4',
      [
        'type',
        'transition',
        'pool',
        'latam',
        'at',
        '1700000000123',
        'proxyId',
        'abc',
        'sessionId',
        's1',
        'leaseId',
        'l1',
        'consumer',
        'w1',
        'category',
        'server',
        'statusCode',
        '503',
        'message',
        'boom',
        'latencyMs',
        '12.5',
        'reason',
        'consecutive_failures',
        'subject',
        'proxy',
        'from',
        'closed',
        'to',
        'open',
        'scope',
        'example.com',
      ],
    ]);
    expect(entry && rowFromEntry('latam', entry)).toEqual({
      pool: 'latam',
      entryId: '1700000000123-4',
      type: 'transition',
      atMs: 1700000000123,
      proxyId: 'abc',
      sessionId: 's1',
      leaseId: 'l1',
      consumer: 'w1',
      category: 'server',
      statusCode: 503,
      message: 'boom',
      latencyMs: 12.5,
      reason: 'consecutive_failures',
      subject: 'proxy',
      fromState: 'closed',
      toState: 'open',
      scope: 'example.com',
    });
  });

  it('turns missing or malformed fields into NULLs instead of failing the batch', () => {
    const row = rowFromEntry('p', {
      id: '1700000000999-0',
      fields: { statusCode: 'n/a', latencyMs: '', at: 'x' },
    });
    expect(row).toMatchObject({
      type: 'unknown',
      atMs: 1700000000999,
      statusCode: null,
      latencyMs: null,
      proxyId: null,
    });
    expect(entryFromReply(['1-0', null])).toBeUndefined();
  });

  it('keeps credentials a scraper quoted out of the stored message', () => {
    const row = rowFromEntry('p', {
      id: '1-0',
      fields: {
        type: 'failure',
        at: '1',
        message: 'proxy http://bob:hunter2@10.0.0.1:8080 refused',
      },
    });
    expect(row.message).toBe('proxy http://***:***@10.0.0.1:8080 refused');
  });
});
