import { Writable } from 'node:stream';
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
import { createLogger } from '../logger.js';
import { ErrorLogStore } from './errorLogStore.js';
import { ErrorLogStream } from './errorLogStream.js';
import { migrateDatabase } from './migrations.js';
import { NO_DATABASE_NOTE, persistErrorLogs } from './persistErrorLogs.js';

// Lease expiry is reached by moving the pool's clock, not by sleeping.
useTestClockLibrary();

const settings = { batchSize: 1000, claimIdleMs: 60_000, maxEntriesPerRun: 100_000 };

describeEachTarget('error-log persistence', (ctx) => {
  const { db, replicas } = usePersistenceFixture();

  it('without DATABASE_URL keeps entries in the stream and says so once', async () => {
    const prefix = ctx.uniquePrefix();
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    const keys = new KeySchema(prefix);
    await new ProxyManager({ redis: ctx.redis(), prefix }).upsertPool({ name: 'p1' });
    await writeErrorEntries(ctx.redis(), keys, 'p1', 5);
    const replica = await startTestWorker(ctx, prefix, {
      logger,
      intervals: { persistErrorLogsMs: 100 },
    });
    replicas.push(replica);

    const job = await waitFor('a persist-error-logs run', async () =>
      (await replica.queue.getJobs(['completed'], 0, -1)).find(
        (j) => j.name === JobName.PERSIST_ERROR_LOGS,
      ),
    );
    expect(job.returnvalue).toEqual({ pools: 1, persisted: 0, skipped: NO_DATABASE_NOTE });
    await waitFor(
      'a second run',
      async () =>
        (await replica.queue.getJobs(['completed'], 0, -1)).filter(
          (j) => j.name === JobName.PERSIST_ERROR_LOGS,
        ).length > 1,
    );
    expect(await ctx.redis().xlen(keys.poolKeys('p1').errorLog)).toBe(5);
    expect(lines.filter((line) => line.includes(NO_DATABASE_NOTE))).toHaveLength(1);
  });

  it('moves failures, transitions and expiries to PostgreSQL with every field', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'latam', failureThreshold: 1 });
    await manager.addProxies('latam', ['http://a:pw@10.3.0.1:8080', 'http://b:pw@10.3.0.2:8080']);
    const failed = await manager.acquireProxy({
      pool: 'latam',
      consumer: 'w1',
      scope: 'example.com',
    });
    if (!failed) throw new Error('expected a lease');
    await manager.releaseProxy(failed, {
      ok: false,
      error: 'server',
      statusCode: 503,
      message: 'Service Unavailable',
      latencyMs: 812.5,
    });
    const expiring = await manager.acquireProxy({
      pool: 'latam',
      consumer: 'w2',
      durationSeconds: 1,
    });
    expect(expiring).not.toBeNull();
    await TestClock.forPool(ctx.redis(), manager.keys, 'latam').advance(2_000);
    await manager.cleanupExpiredLeases('latam');
    const logged = await manager.getErrorLog('latam', { limit: 100 });
    expect(new Set(logged.map((e) => e.type))).toEqual(
      new Set(['failure', 'transition', 'lease_expired']),
    );

    replicas.push(
      await startTestWorker(ctx, prefix, { database: { url: db.url, schema: db.schema } }),
    );
    await waitFor(
      'every entry in PostgreSQL',
      async () => (await db.count('pool = $1', ['latam'])) === logged.length,
    );

    const { rows } = await db.pg.query(
      `SELECT * FROM ${db.schema}.error_log WHERE pool = 'latam' AND entry_id = ANY($1) ORDER BY entry_id`,
      [logged.map((e) => e.id)],
    );
    expect(rows).toHaveLength(logged.length);
    for (const entry of logged) {
      const row = rows.find((r) => r.entry_id === entry.id);
      expect(row).toMatchObject({
        pool: 'latam',
        type: entry.type,
        proxy_id: entry.proxyId ?? null,
        session_id: entry.sessionId ?? null,
        lease_id: entry.leaseId ?? null,
        consumer: entry.consumer ?? null,
        category: entry.category ?? null,
        status_code: entry.statusCode ?? null,
        message: entry.message ?? null,
        latency_ms: entry.latencyMs ?? null,
        reason: entry.reason ?? null,
        subject: entry.subject ?? null,
        from_state: entry.from ?? null,
        to_state: entry.to ?? null,
        scope: entry.scope ?? null,
      });
      expect((row.at as Date).getTime()).toBe(entry.at);
    }
  });

  it('persists entries exactly once, acknowledged and kept in the stream', async () => {
    const prefix = ctx.uniquePrefix();
    const keys = new KeySchema(prefix);
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'bulk', errorLogMaxLength: 20_000 });
    const ids = await writeErrorEntries(ctx.redis(), keys, 'bulk', 3_000);
    await migrateDatabase(db.url, db.schema, createLogger({ level: 'silent' }));
    const store = ErrorLogStore.connect(db.url, db.schema);
    const stream = new ErrorLogStream(ctx.redis(), keys, 'measuring-consumer');
    try {
      const summary = await persistErrorLogs({ manager, stream, store, settings });
      expect(summary).toEqual({
        pools: 1,
        persisted: 3_000,
        duplicates: 0,
        reclaimed: 0,
        backlogged: 0,
        lost: 0,
      });
      expect(await db.count('pool = $1 AND entry_id = ANY($2)', ['bulk', ids])).toBe(3_000);
      expect(await ctx.redis().xlen(keys.poolKeys('bulk').errorLog)).toBe(3_000);
      expect(await stream.pendingCount('bulk')).toBe(0);

      // Inserting the same entries again (a crash between insert and XACK) adds nothing.
      const again = await store.insert(
        ids.slice(0, 500).map((id) => ({
          pool: 'bulk',
          entryId: id,
          type: 'failure',
          atMs: Date.now(),
          proxyId: null,
          sessionId: null,
          leaseId: null,
          consumer: null,
          category: null,
          statusCode: null,
          message: null,
          latencyMs: null,
          reason: null,
          subject: null,
          fromState: null,
          toState: null,
          scope: null,
        })),
      );
      expect(again).toBe(0);
      expect(await db.count('pool = $1', ['bulk'])).toBe(3_000);
    } finally {
      await store.close();
    }
  });

  it('stores an entry whose text holds a NUL (PostgreSQL text cannot), and the ones behind it', async () => {
    const prefix = ctx.uniquePrefix();
    const keys = new KeySchema(prefix);
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'nul' });
    const ids = await writeErrorEntries(ctx.redis(), keys, 'nul', 3, (i) => ({
      type: 'failure',
      message: i === 1 ? 'bad\u0000byte' : `ok ${i}`,
      reason: i === 1 ? '\u0000' : '',
    }));
    await migrateDatabase(db.url, db.schema, createLogger({ level: 'silent' }));
    const store = ErrorLogStore.connect(db.url, db.schema);
    const stream = new ErrorLogStream(ctx.redis(), keys, 'nul-consumer');
    try {
      expect(await persistErrorLogs({ manager, stream, store, settings })).toMatchObject({
        persisted: 3,
      });
      const { rows } = await db.pg.query(
        `SELECT message, reason FROM ${db.schema}.error_log WHERE pool = 'nul' AND entry_id = $1`,
        [ids[1]],
      );
      expect(rows).toEqual([{ message: 'bad\uFFFDbyte', reason: '\uFFFD' }]);
      expect(await db.count('pool = $1', ['nul'])).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('takes over entries a dead consumer read but never acknowledged', async () => {
    const prefix = ctx.uniquePrefix();
    const keys = new KeySchema(prefix);
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'p1' });
    await writeErrorEntries(ctx.redis(), keys, 'p1', 300);
    // A replica reads 200 entries, then dies before inserting them.
    const dead = new ErrorLogStream(ctx.redis(), keys, 'dead-replica');
    const read = await dead.readNew('p1', 200);
    expect(read.entries).toHaveLength(200);
    await migrateDatabase(db.url, db.schema, createLogger({ level: 'silent' }));
    const store = ErrorLogStore.connect(db.url, db.schema);
    const alive = new ErrorLogStream(ctx.redis(), keys, 'alive-replica');
    try {
      const fresh = await persistErrorLogs({ manager, stream: alive, store, settings });
      // Not idle long enough yet: only the 100 never delivered are moved.
      expect(fresh).toMatchObject({ persisted: 100, reclaimed: 0 });
      // A minute later, as Redis counts idle time: XCLAIM's IDLE sets it, to the dead
      // replica itself, so its entries look as old as a crashed replica's would.
      const ids = read.entries.map((e) => e.id);
      await ctx
        .redis()
        .call('XCLAIM', dead.key('p1'), dead.group, 'dead-replica', 0, ...ids, 'IDLE', 61_000);
      const later = await persistErrorLogs({ manager, stream: alive, store, settings });
      expect(later).toMatchObject({ persisted: 200, reclaimed: 200, duplicates: 0 });
      expect(await db.count('pool = $1', ['p1'])).toBe(300);
      expect(await alive.pendingCount('p1')).toBe(0);
    } finally {
      await store.close();
    }
  });
});
