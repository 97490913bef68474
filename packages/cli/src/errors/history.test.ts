import { ProxyManager } from '@leasehold/client';
import { describeEachTarget, redisTargetEnv, runLeaseholdCli } from '@leasehold/testing';
import {
  ErrorLogStore,
  ErrorLogStream,
  migrateDatabase,
  persistErrorLogs,
  silentLogger,
} from '@leasehold/worker';
import { it as baseIt, expect } from 'vitest';
import { useTestSchema } from '../../../worker/test/testSupport.js';

const it = (name: string, fn: () => Promise<void>) => baseIt(name, fn, 90_000);

// `leasehold errors --history`: the PostgreSQL history the worker keeps, from the command line.
describeEachTarget('leasehold errors --history', (ctx) => {
  const db = useTestSchema();

  it('lists persisted entries with filters, and says what is missing', async () => {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'shop', failureThreshold: 1 });
    await manager.addProxies('shop', ['http://u:pw@10.8.0.1:8080']);
    const lease = await manager.acquireProxy({ pool: 'shop' });
    if (!lease) throw new Error('expected a lease');
    await manager.releaseProxy(lease, { ok: false, error: 'blocked', statusCode: 403 });
    const recent = await manager.getErrorLog('shop');
    expect(recent).toHaveLength(2); // the failure and its circuit opening

    await migrateDatabase(db.url, db.schema, silentLogger());
    const store = ErrorLogStore.connect(db.url, db.schema);
    try {
      const stream = new ErrorLogStream(ctx.redis(), manager.keys, 'cli-test');
      const settings = { batchSize: 100, claimIdleMs: 60_000, maxEntriesPerRun: 1000 };
      expect(await persistErrorLogs({ manager, stream, store, settings })).toMatchObject({
        persisted: 2,
      });
    } finally {
      await store.close();
    }

    const env = {
      ...redisTargetEnv(ctx.target),
      LEASEHOLD_PREFIX: prefix,
      DATABASE_URL: db.url,
      DATABASE_SCHEMA: db.schema,
    };
    const all = await runLeaseholdCli(['errors', 'shop', '--history', '--json'], env);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual(recent);

    const failures = await runLeaseholdCli(
      [
        'errors',
        'shop',
        '--history',
        '--type',
        'failure',
        '--category',
        'blocked',
        '--since',
        '1h',
      ],
      env,
    );
    expect(failures.code).toBe(0);
    expect(failures.stdout).toContain('blocked');
    expect(failures.stdout).not.toContain('transition');

    const noDatabase = await runLeaseholdCli(['errors', 'shop', '--history'], {
      ...env,
      DATABASE_URL: '',
    });
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stderr).toContain('DATABASE_URL');

    const badCategory = await runLeaseholdCli(
      ['errors', 'shop', '--history', '--category', 'gremlins'],
      env,
    );
    // A value outside the choices is a usage error, refused before anything connects.
    expect(badCategory.code).toBe(2);
    expect(badCategory.stderr).toContain("argument 'gremlins' is invalid");
    expect(badCategory.stderr).toContain('blocked');

    const withoutHistory = await runLeaseholdCli(['errors', 'shop', '--type', 'failure'], env);
    expect(withoutHistory.code).toBe(1);
    expect(withoutHistory.stderr).toContain('--history');
  });
});
