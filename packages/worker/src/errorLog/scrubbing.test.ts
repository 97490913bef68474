import { ProxyManager } from '@leasehold/client';
import { KeySchema } from '@leasehold/core/internal';
import { describeEachTarget } from '@leasehold/testing';
import { describe, expect, it } from 'vitest';
import { capturedLogger, useTestSchema } from '../../test/testSupport.js';
import { createLogger } from '../logger.js';
import { ErrorLogStore } from './errorLogStore.js';
import { ErrorLogStream } from './errorLogStream.js';
import { migrateDatabase } from './migrations.js';
import { persistErrorLogs } from './persistErrorLogs.js';

// Passwords the worker's own patterns used to miss: quotes and angle brackets end a URL
// for a naive pattern, and JSON escapes a quote as \".
const PASSWORDS = ['pa"ss<1>', "it's>ok", 'a<b>c"d', 'x"y@z'];
const messagesFor = (password: string) => [
  `connect via http://bob:${password}@10.0.0.1:8080 failed`,
  `<a href="socks5://bob:${password}@10.0.0.2:1080">proxy</a>`,
  `{"proxy":"http://bob:${password}@10.0.0.3:80","password":${JSON.stringify(password)}}`,
  `Proxy-Authorization: Basic ${Buffer.from(`bob:${password}`).toString('base64')}`,
];
const traces = (password: string) => [
  password,
  JSON.stringify(password).slice(1, -1),
  Buffer.from(`bob:${password}`).toString('base64').slice(0, 12),
];

describe('worker log lines', () => {
  it('never carry a password with quotes or <>, and stay JSON', () => {
    const { lines, logger } = capturedLogger();
    for (const password of PASSWORDS) {
      for (const message of messagesFor(password)) {
        logger.warn({ outcome: { message } }, message);
        logger.error({ err: new Error(message) }, 'failed');
      }
      logger.info({ a: { b: { c: { d: { password } } } } }, 'deeply nested');
    }
    const all = lines.join('');
    for (const password of PASSWORDS)
      for (const trace of traces(password)) expect(all).not.toContain(trace);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(all).toContain('10.0.0.2:1080');
  });
});

describeEachTarget('error-log rows in PostgreSQL', (ctx) => {
  const db = useTestSchema();

  it('are scrubbed of passwords with quotes or <> whoever wrote the entry', async () => {
    const prefix = ctx.uniquePrefix();
    const keys = new KeySchema(prefix);
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'p1' });
    // Written straight to the stream, as an older client or a script would: the worker
    // must not rely on the client having scrubbed them.
    const stream = keys.poolKeys('p1').errorLog;
    const ids: string[] = [];
    for (const password of PASSWORDS)
      for (const message of messagesFor(password))
        ids.push(
          (await ctx
            .redis()
            .xadd(
              stream,
              '*',
              'type',
              'failure',
              'at',
              String(Date.now()),
              'message',
              message,
              'reason',
              message,
            )) as string,
        );

    await migrateDatabase(db.url, db.schema, createLogger({ level: 'silent' }));
    const store = ErrorLogStore.connect(db.url, db.schema);
    try {
      const summary = await persistErrorLogs({
        manager,
        stream: new ErrorLogStream(ctx.redis(), keys, 'scrub-test'),
        store,
        settings: { batchSize: 1000, claimIdleMs: 60_000, maxEntriesPerRun: 10_000 },
      });
      expect(summary).toMatchObject({ persisted: ids.length });
    } finally {
      await store.close();
    }
    const { rows } = await db.pg.query(
      `SELECT message, reason FROM ${db.schema}.error_log WHERE entry_id = ANY($1)`,
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    const stored = rows.map((r) => `${r.message}\n${r.reason}`).join('\n');
    for (const password of PASSWORDS)
      for (const trace of traces(password)) expect(stored).not.toContain(trace);
    expect(stored).toContain('10.0.0.1:8080');
  });
});
