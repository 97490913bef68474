import { ProxyManager } from '@leasehold/client';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import {
  capturedLogger,
  parsePrometheus,
  type SwitchableDatabase,
  series,
  startTestWorker,
  switchableDatabase,
  waitFor,
  writeErrorEntries,
} from '../../test/testSupport.js';
import { JobName } from '../jobs/schedules.js';
import { silentLogger } from '../logger.js';
import type { WorkerHandle } from '../worker.js';
import { ErrorLogBacklog } from './errorLogBacklog.js';
import { ErrorLogHistory } from './errorLogHistory.js';
import { ErrorLogStore } from './errorLogStore.js';
import { ErrorLogStream } from './errorLogStream.js';
import { migrateDatabase } from './migrations.js';
import { type PersistErrorLogsDeps, persistErrorLogs } from './persistErrorLogs.js';

const POOL = 'outage';
/** The pool's errorLogMaxLength: the stream keeps about this many entries. */
const STREAM_CAP = 1000;
/** Written between two runs: less than the stream's cap, so a run sees each before trimming. */
const ROUND = 400;
const ROUNDS = 8;
const settings = { batchSize: 1000, claimIdleMs: 60_000, maxEntriesPerRun: 100_000 };

describeEachTarget('error-log persistence through a PostgreSQL outage', (ctx) => {
  async function setUp() {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: POOL, errorLogMaxLength: STREAM_CAP });
    const db = await switchableDatabase();
    await migrateDatabase(db.url, db.schema, silentLogger());
    return { prefix, manager, db };
  }

  /** Entries as the scripts write them: appended, the stream trimmed to about its cap. */
  const write = (manager: ProxyManager, count: number) =>
    writeErrorEntries(ctx.redis(), manager.keys, POOL, count, undefined, STREAM_CAP);

  async function tearDown(db: SwitchableDatabase, ...closing: { close(): Promise<void> }[]) {
    await Promise.all(closing.map((c) => c.close()));
    await db.drop();
  }

  it('keeps 3,200 entries written while PostgreSQL is down and persists all of them when it returns', async () => {
    const { manager, db } = await setUp();
    const store = ErrorLogStore.connect(db.url, db.schema);
    const history = ErrorLogHistory.connect(db.admin.url, db.schema);
    const stream = new ErrorLogStream(ctx.redis(), manager.keys, 'outage-replica');
    const backlog = new ErrorLogBacklog(ctx.redis(), manager.keys);
    const deps: PersistErrorLogsDeps = { manager, stream, store, settings };
    try {
      await db.goDown();
      const written: string[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        written.push(...(await write(manager, ROUND)));
        // The pool's run fails, so the job shows PostgreSQL is away, but nothing is lost.
        await expect(persistErrorLogs(deps)).rejects.toThrow(/HISTORY_UNAVAILABLE|unavailable/i);
        expect(await backlog.length(POOL)).toBe(round * ROUND);
      }
      expect(written).toHaveLength(3_200);
      // The stream kept only its recent window: most entries live in the backlog alone.
      expect(await ctx.redis().xlen(stream.key(POOL))).toBeLessThan(1_200);

      await db.comeBack();
      expect(await persistErrorLogs(deps)).toEqual({
        pools: 1,
        persisted: 3_200,
        duplicates: 0,
        reclaimed: 0,
        backlogged: 0,
        lost: 0,
      });
      expect(await backlog.length(POOL)).toBe(0);
      expect(await stream.lostTotal(POOL)).toBe(0);
      expect(await db.admin.count('pool = $1 AND entry_id = ANY($2)', [POOL, written])).toBe(3_200);

      // Readers page the history newest first: every entry once, none twice.
      const seen: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await history.query({
          pool: POOL,
          limit: 1000,
          ...(before ? { before } : {}),
        });
        if (page.length === 0) break;
        seen.push(...page.map((e) => e.id));
        before = page.at(-1)?.id;
      }
      expect(seen).toHaveLength(3_200);
      expect(new Set(seen)).toEqual(new Set(written));
      // The recent window from Redis is the newest part of the same history.
      const recent = await manager.getErrorLog(POOL, { limit: 500 });
      expect(recent.map((e) => e.id)).toEqual(seen.slice(0, 500));
    } finally {
      await tearDown(db, store, history);
    }
  });

  it('counts entries trimmed before a run read them, once, however many replicas read', async () => {
    const { manager, db } = await setUp();
    const store = ErrorLogStore.connect(db.url, db.schema);
    const first = new ErrorLogStream(ctx.redis(), manager.keys, 'replica-a');
    const replicas = [first, new ErrorLogStream(ctx.redis(), manager.keys, 'replica-b')];
    const { lines, logger } = capturedLogger('warn');
    const runAll = () =>
      Promise.all(
        replicas.map((stream) => persistErrorLogs({ manager, stream, store, settings, logger })),
      );
    try {
      // Two bursts, each far past the stream's cap between two runs.
      let persisted = 0;
      let lost = 0;
      for (let burst = 1; burst <= 2; burst++) {
        await write(manager, 3_200);
        for (const summary of await runAll()) {
          persisted += summary.persisted;
          lost += 'lost' in summary ? summary.lost : 0;
        }
        expect(persisted + lost).toBe(burst * 3_200);
        expect(await first.lostTotal(POOL)).toBe(lost);
      }
      expect(persisted).toBe(await db.admin.count('pool = $1', [POOL]));
      expect(lost).toBeGreaterThan(4_000);
      const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.lost > 0);
      expect(warned.reduce((sum, l) => sum + l.lost, 0)).toBe(lost);
      expect(warned[0]).toMatchObject({ level: 40, pool: POOL });
      expect(warned[0].msg).toMatch(
        /lost: trimmed from the Redis stream before they were persisted/,
      );
    } finally {
      await tearDown(db, store);
    }
  });

  it('past its bound the backlog drops its oldest entries: a warning, error_log_entries_lost_total', async () => {
    const { prefix, manager, db } = await setUp();
    const { lines, logger } = capturedLogger('warn');
    let worker: WorkerHandle | undefined;
    try {
      worker = await startTestWorker(ctx, prefix, {
        logger,
        database: { url: db.url, schema: db.schema },
        errorLog: { backlogMaxEntries: 1_000 },
        // Runs are driven by the test (runNow) once the start-up run is done.
        intervals: {
          leaseExpiryMs: 86_400_000,
          cooldownRecoveryMs: 86_400_000,
          persistErrorLogsMs: 86_400_000,
          poolSamplesMs: 86_400_000,
          healthCheckMs: 86_400_000,
        },
      });
      const queue = worker.queue;
      await waitFor('the scheduled persist-error-logs run at start-up', async () =>
        (await queue.getJobs(['completed'], 0, -1)).some(
          (j) => j.name === JobName.PERSIST_ERROR_LOGS,
        ),
      );
      const live = worker;
      const metrics = async () =>
        parsePrometheus(await (await fetch(`${live.metricsUrl}/metrics`)).text());

      await db.goDown();
      const written: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        written.push(...(await write(manager, ROUND)));
        await expect(live.runNow(JobName.PERSIST_ERROR_LOGS)).rejects.toThrow();
      }
      const dropped = 3_200 - 1_000;
      const scraped = await metrics();
      expect(scraped.get(series('error_log_entries_lost_total', { pool: POOL }))).toBe(dropped);
      expect(scraped.get(series('error_log_backlog_entries', { pool: POOL }))).toBe(1_000);
      const warned = lines.map((l) => JSON.parse(l)).filter((l) => /backlog full/.test(l.msg));
      expect(warned.reduce((sum, l) => sum + l.lost, 0)).toBe(dropped);
      expect(warned[0]).toMatchObject({ pool: POOL, backlogMax: 1_000 });

      await db.comeBack();
      expect(await live.runNow(JobName.PERSIST_ERROR_LOGS)).toMatchObject({
        persisted: 1_000,
        lost: 0,
      });
      // The newest 1,000 were kept, the oldest dropped; the count of lost entries stays.
      expect(
        await db.admin.count('pool = $1 AND entry_id = ANY($2)', [POOL, written.slice(-1_000)]),
      ).toBe(1_000);
      expect(await db.admin.count('pool = $1', [POOL])).toBe(1_000);
      const after = await metrics();
      expect(after.get(series('error_log_entries_lost_total', { pool: POOL }))).toBe(dropped);
      expect(after.get(series('error_log_backlog_entries', { pool: POOL }))).toBe(0);
    } finally {
      await worker?.close();
      await db.drop();
    }
  });
});
