import { ProxyManager } from '@leasehold/client';
import { KeySchema } from '@leasehold/core/internal';
import { describeEachTarget, TestClock, useTestClockLibrary } from '@leasehold/testing';
import { expect, it } from 'vitest';
import {
  startTestWorker,
  usePersistenceFixture,
  waitFor,
  writeErrorEntries,
} from '../../test/testSupport.js';
import { JobName } from '../jobs/schedules.js';
import { silentLogger } from '../logger.js';
import { ErrorLogStore } from './errorLogStore.js';
import { ErrorLogStream } from './errorLogStream.js';
import { migrateDatabase } from './migrations.js';
import { persistErrorLogs } from './persistErrorLogs.js';

// The lease's expiry is reached by moving the pool's clock, not by sleeping.
useTestClockLibrary();

const settings = { batchSize: 500, claimIdleMs: 60_000, maxEntriesPerRun: 100_000 };

// Persisting used to XDEL what it had copied, so with DATABASE_URL set the error
// log readers see (getErrorLog, `leasehold errors`) emptied itself seconds after each entry.
describeEachTarget('error-log retention with PostgreSQL', (ctx) => {
  const { db, replicas } = usePersistenceFixture();

  it('persisted entries are still returned by getErrorLog', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'kept', failureThreshold: 1 });
    await manager.addProxies('kept', ['http://a:pw@10.9.0.1:8080', 'http://b:pw@10.9.0.2:8080']);
    const failing = await manager.acquireProxy({ pool: 'kept', consumer: 'w1' });
    if (!failing) throw new Error('expected a lease');
    await manager.releaseProxy(failing, { ok: false, error: 'blocked', statusCode: 403 });
    await manager.acquireProxy({ pool: 'kept', consumer: 'w2', durationSeconds: 1 });
    await TestClock.forPool(ctx.redis(), manager.keys, 'kept').advance(2_000);
    await manager.cleanupExpiredLeases('kept');
    const recent = await manager.getErrorLog('kept', { limit: 100 });
    // The failure, its circuit opening and the expiry.
    expect(recent.map((e) => e.type).sort()).toEqual(['failure', 'lease_expired', 'transition']);

    const replica = await startTestWorker(ctx, prefix, {
      database: { url: db.url, schema: db.schema },
      intervals: { leaseExpiryMs: 60_000, cooldownRecoveryMs: 60_000, persistErrorLogsMs: 100 },
    });
    replicas.push(replica);
    await waitFor(
      'the entries in PostgreSQL',
      async () => (await db.count('pool = $1', ['kept'])) === recent.length,
    );
    // More runs change nothing: every entry was acknowledged, none is persisted twice ...
    expect(await replica.runNow(JobName.PERSIST_ERROR_LOGS)).toEqual({
      pools: 1,
      persisted: 0,
      duplicates: 0,
      reclaimed: 0,
      backlogged: 0,
      lost: 0,
    });
    expect(await db.count('pool = $1', ['kept'])).toBe(recent.length);
    // ... and the readers still see all of them.
    expect(await manager.getErrorLog('kept', { limit: 100 })).toEqual(recent);
  });

  it('acknowledges without deleting: each entry stored once, the stream intact', async () => {
    const prefix = ctx.uniquePrefix();
    const keys = new KeySchema(prefix);
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'acked' });
    const first = await writeErrorEntries(ctx.redis(), keys, 'acked', 1_200);
    await migrateDatabase(db.url, db.schema, silentLogger());
    const store = ErrorLogStore.connect(db.url, db.schema);
    const stream = new ErrorLogStream(ctx.redis(), keys, 'replica-a');
    try {
      expect(await persistErrorLogs({ manager, stream, store, settings })).toMatchObject({
        persisted: 1_200,
        duplicates: 0,
      });
      expect(await stream.pendingCount('acked')).toBe(0);
      expect(await persistErrorLogs({ manager, stream, store, settings })).toMatchObject({
        persisted: 0,
      });
      const more = await writeErrorEntries(ctx.redis(), keys, 'acked', 30);
      // Another replica only gets what nobody has read yet.
      const other = new ErrorLogStream(ctx.redis(), keys, 'replica-b');
      expect(await persistErrorLogs({ manager, stream: other, store, settings })).toMatchObject({
        persisted: 30,
        duplicates: 0,
      });
      expect(await db.count('pool = $1', ['acked'])).toBe(1_230);
      expect(await ctx.redis().xlen(keys.poolKeys('acked').errorLog)).toBe(1_230);
      const newest = await manager.getErrorLog('acked', { limit: 1_230 });
      expect(newest.map((e) => e.id)).toEqual([...first, ...more].reverse());
    } finally {
      await store.close();
    }
  });
});
