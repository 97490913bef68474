// The two figures for the team's notes, printed in the test log:
//   - entries persisted per second (error-log stream -> PostgreSQL, one pool, default batch)
//   - sweep cost per 1,000 expired leases (the lease-expiry job body)
// Standalone only: a figure per run is enough, and the cluster run doubles the suite time.
// They are printed, not asserted against a target: the suite shares 2 cores with other files.
import { ProxyManager } from '@leasehold/client';
import { KeySchema } from '@leasehold/core/internal';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { useTestSchema, writeErrorEntries } from '../test/testSupport.js';
import { ErrorLogStore } from './errorLog/errorLogStore.js';
import { ErrorLogStream } from './errorLog/errorLogStream.js';
import { migrateDatabase } from './errorLog/migrations.js';
import { persistErrorLogs } from './errorLog/persistErrorLogs.js';
import { sweepExpiredLeases } from './jobs/leaseExpiry.js';
import { createLogger } from './logger.js';

const ENTRIES = 10_000;
const LEASES = 5_000;

describeEachTarget(
  'worker measurements',
  (ctx) => {
    const db = useTestSchema();

    it('entries persisted per second', async () => {
      const prefix = ctx.uniquePrefix();
      const keys = new KeySchema(prefix);
      const manager = new ProxyManager({ redis: ctx.redis(), prefix });
      await manager.upsertPool({ name: 'bulk', errorLogMaxLength: 2 * ENTRIES });
      await writeErrorEntries(ctx.redis(), keys, 'bulk', ENTRIES);
      await migrateDatabase(db.url, db.schema, createLogger({ level: 'silent' }));
      const store = ErrorLogStore.connect(db.url, db.schema);
      try {
        const stream = new ErrorLogStream(ctx.redis(), keys, 'measuring');
        const settings = { batchSize: 1000, claimIdleMs: 60_000, maxEntriesPerRun: 100_000 };
        const started = performance.now();
        const summary = await persistErrorLogs({ manager, stream, store, settings });
        const seconds = (performance.now() - started) / 1000;
        expect(summary).toMatchObject({ persisted: ENTRIES, duplicates: 0 });
        console.log(
          `[measure] persist-error-logs: ${ENTRIES} entries in ${(seconds * 1000).toFixed(0)} ms = ${Math.round(ENTRIES / seconds)} entries/s`,
        );
      } finally {
        await store.close();
      }
    });

    it('sweep cost per 1,000 expired leases', async () => {
      const prefix = ctx.uniquePrefix();
      const manager = new ProxyManager({ redis: ctx.redis(), prefix });
      await manager.upsertPool({ name: 'bulk' });
      await manager.addProxies(
        'bulk',
        Array.from({ length: 200 }, (_, i) => ({
          url: `http://u${i}:pw${i}@10.2.${i >> 8}.${i & 255}:8080`,
          maxConcurrency: 25,
        })),
      );
      const taken = await Promise.all(
        Array.from({ length: LEASES }, () =>
          manager.acquireProxy({ pool: 'bulk', durationSeconds: 600 }),
        ),
      );
      expect(taken.every((lease) => lease !== null)).toBe(true);
      // Backdate the deadlines instead of using short leases: taking 5,000 leases lasts longer
      // than a short lease lives, and acquire reclaims expired leases itself.
      const deadlines = manager.keys.poolKeys('bulk').leaseDeadlines;
      const members = await ctx.redis().zrange(deadlines, 0, -1);
      await ctx.redis().zadd(deadlines, 'XX', ...members.flatMap((member) => [1, member]));

      const started = performance.now();
      const summary = await sweepExpiredLeases(manager);
      const elapsed = performance.now() - started;
      expect(summary.reclaimed).toBe(LEASES);
      console.log(
        `[measure] lease-expiry: ${LEASES} expired leases in ${elapsed.toFixed(1)} ms = ${((elapsed / LEASES) * 1000).toFixed(1)} ms per 1,000`,
      );
    });
  },
  { targets: ['standalone'] },
);
