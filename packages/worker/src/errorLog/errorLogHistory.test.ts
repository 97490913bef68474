import { type ErrorLogEntry, ProxyManager, ValidationError } from '@leasehold/client';
import { KeySchema } from '@leasehold/core/internal';
import { describeEachTarget } from '@leasehold/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestSchema, testSchema, writeErrorEntries } from '../../test/testSupport.js';
import { silentLogger } from '../logger.js';
import { ErrorLogHistory, ErrorLogHistoryUnavailableError } from './errorLogHistory.js';
import { ErrorLogStore } from './errorLogStore.js';
import { ErrorLogStream } from './errorLogStream.js';
import { migrateDatabase } from './migrations.js';
import { persistErrorLogs } from './persistErrorLogs.js';

const settings = { batchSize: 1000, claimIdleMs: 60_000, maxEntriesPerRun: 100_000 };
const T0 = 1_760_000_000_000;
const PROXIES = ['00000000000000a1', '00000000000000b2', '00000000000000c3'];

/** Entry i: one a second from T0, proxies and types in turn, every 4th with a session. */
const fieldsOf = (i: number): Record<string, string> => ({
  at: String(T0 + i * 1000),
  type: i % 5 === 0 ? 'transition' : 'failure',
  proxyId: PROXIES[i % 3] as string,
  ...(i % 4 === 0 ? { sessionId: `s${i % 8}` } : {}),
  ...(i % 5 === 0
    ? { subject: 'proxy', from: 'closed', to: 'open', reason: `three failures (${i})` }
    : { category: i % 2 === 0 ? 'timeout' : 'blocked', statusCode: '403', message: `m${i}` }),
});

describeEachTarget('error-log history in PostgreSQL', (ctx) => {
  let db: TestSchema;
  let history: ErrorLogHistory;
  beforeAll(async () => {
    db = testSchema();
    await migrateDatabase(db.url, db.schema, silentLogger());
    history = ErrorLogHistory.connect(db.url, db.schema);
  });
  afterAll(async () => {
    await history.close();
    await db.drop();
  });

  /** `count` entries written to a pool's stream and persisted; their ids, oldest first. */
  async function persisted(pool: string, count: number, maxLength?: number) {
    const prefix = ctx.uniquePrefix();
    const keys = new KeySchema(prefix);
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({
      name: pool,
      ...(maxLength ? { errorLogMaxLength: maxLength } : {}),
    });
    const ids = await writeErrorEntries(ctx.redis(), keys, pool, count, fieldsOf);
    const store = ErrorLogStore.connect(db.url, db.schema);
    try {
      const stream = new ErrorLogStream(ctx.redis(), keys, 'history-test');
      expect(await persistErrorLogs({ manager, stream, store, settings })).toMatchObject({
        persisted: count,
      });
    } finally {
      await store.close();
    }
    return { ids, manager, keys };
  }

  it('answers by pool, proxy, session, type, category and time range, newest first', async () => {
    const { ids } = await persisted('hist', 60);
    const idsWhere = (keep: (i: number) => boolean) => ids.filter((_, i) => keep(i)).reverse();
    const query = async (q: Omit<Parameters<ErrorLogHistory['query']>[0], 'pool'>) =>
      (await history.query({ pool: 'hist', limit: 1000, ...q })).map((e) => e.id);

    expect(await query({})).toEqual(idsWhere(() => true));
    expect(await query({ proxyId: PROXIES[1] })).toEqual(idsWhere((i) => i % 3 === 1));
    expect(await query({ sessionId: 's4' })).toEqual(idsWhere((i) => i % 8 === 4));
    expect(await query({ type: 'transition' })).toEqual(idsWhere((i) => i % 5 === 0));
    expect(await query({ category: 'blocked' })).toEqual(
      idsWhere((i) => i % 5 !== 0 && i % 2 === 1),
    );
    expect(await query({ proxyId: PROXIES[0], category: 'timeout' })).toEqual(
      idsWhere((i) => i % 3 === 0 && i % 5 !== 0 && i % 2 === 0),
    );
    // since inclusive, until exclusive; a Date or epoch ms.
    expect(await query({ since: T0 + 10_000, until: new Date(T0 + 20_000) })).toEqual(
      idsWhere((i) => i >= 10 && i < 20),
    );
    expect(await history.query({ pool: 'another', limit: 10 })).toEqual([]);

    // Every field comes back as getErrorLog shapes it.
    const [transition] = await history.query({ pool: 'hist', limit: 1, until: T0 + 1 });
    expect(transition).toEqual({
      id: ids[0] as string,
      type: 'transition',
      at: T0,
      pool: 'hist',
      proxyId: PROXIES[0],
      sessionId: 's0',
      subject: 'proxy',
      from: 'closed',
      to: 'open',
      reason: 'three failures (0)',
    } satisfies ErrorLogEntry);
    const [failure] = await history.query({ pool: 'hist', limit: 1, until: T0 + 1001 });
    expect(failure).toEqual({
      id: ids[1] as string,
      type: 'failure',
      at: T0 + 1000,
      pool: 'hist',
      proxyId: PROXIES[1],
      category: 'blocked',
      statusCode: 403,
      message: 'm1',
    } satisfies ErrorLogEntry);
  });

  it('pages with `before` through every entry exactly once', async () => {
    const { ids } = await persisted('paged', 250);
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await history.query({ pool: 'paged', limit: 40, ...(before ? { before } : {}) });
      seen.push(...page.map((e) => e.id));
      if (page.length < 40) break;
      before = page[page.length - 1]?.id;
    }
    expect(seen).toEqual([...ids].reverse());
    // Filters and cursor together.
    const older = await history.query({ pool: 'paged', proxyId: PROXIES[2], before: ids[200] });
    expect(older.map((e) => e.id)).toEqual(
      ids
        .filter((_, i) => i < 200 && i % 3 === 2)
        .reverse()
        .slice(0, 100),
    );
  });

  it('orders entries of one millisecond as Redis does (…-9 before …-10), pages included', async () => {
    const prefix = ctx.uniquePrefix();
    const keys = new KeySchema(prefix);
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'same-ms' });
    const key = keys.poolKeys('same-ms').errorLog;
    for (let seq = 0; seq < 25; seq++) {
      await ctx
        .redis()
        .xadd(key, `${T0}-${seq}`, 'pool', 'same-ms', 'at', String(T0), 'type', 'failure');
    }
    const store = ErrorLogStore.connect(db.url, db.schema);
    try {
      const stream = new ErrorLogStream(ctx.redis(), keys, 'same-ms-test');
      await persistErrorLogs({ manager, stream, store, settings });
    } finally {
      await store.close();
    }
    const newestFirst = (await manager.getErrorLog('same-ms', { limit: 100 })).map((e) => e.id);
    expect(newestFirst.slice(14, 17)).toEqual([`${T0}-10`, `${T0}-9`, `${T0}-8`]);
    expect((await history.query({ pool: 'same-ms', limit: 100 })).map((e) => e.id)).toEqual(
      newestFirst,
    );
    const paged: string[] = [];
    for (let before: string | undefined; ; ) {
      const page = await history.query({
        pool: 'same-ms',
        limit: 7,
        ...(before ? { before } : {}),
      });
      if (page.length === 0) break;
      paged.push(...page.map((e) => e.id));
      before = page.at(-1)?.id;
    }
    expect(paged).toEqual(newestFirst);
  });

  it('merged view: recent entries from Redis, older ones from PostgreSQL', async () => {
    const { ids, manager, keys } = await persisted('merged', 300);
    // The scripts cap the stream at errorLogMaxLength; trim it as they would.
    await ctx.redis().xtrim(keys.poolKeys('merged').errorLog, 'MAXLEN', 100);
    const recent = await manager.getErrorLog('merged', { limit: 1000 });
    expect(recent).toHaveLength(100);
    const oldest = recent[recent.length - 1] as ErrorLogEntry;
    const older = await history.query({ pool: 'merged', before: oldest.id, limit: 1000 });
    expect([...recent, ...older].map((e) => e.id)).toEqual([...ids].reverse());
    // The same entry reads the same from either side.
    const [fromPostgres] = await history.query({ pool: 'merged', limit: 1 });
    expect(fromPostgres).toEqual(recent[0]);
  });

  it('rejects bad queries with the field named', async () => {
    const bad = async (q: Record<string, unknown>, field: string) => {
      const error = await history
        .query({ pool: 'hist', ...q } as Parameters<ErrorLogHistory['query']>[0])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    };
    await bad({ limit: 0 }, 'query.limit');
    await bad({ limit: 1001 }, 'query.limit');
    await bad({ proxyId: 'nope' }, 'query.proxyId');
    await bad({ type: 'explosion' }, 'query.type');
    await bad({ category: 'gremlins' }, 'query.category');
    await bad({ since: -1 }, 'query.since');
    await bad({ since: new Date('not a date') }, 'query.since');
    await bad({ since: T0 + 1, until: T0 }, 'query.until');
    await bad({ before: 'x' }, 'query.before');
    await bad({ before: '1-0' }, 'query.before'); // well-formed, but no such entry
    await bad({ pool: '' }, 'query.pool');
    await bad({ orderBy: 'at' }, 'query.orderBy');
  });

  it('says what is wrong when PostgreSQL cannot answer', async () => {
    const unmigrated = ErrorLogHistory.connect(db.url, 'lhw_never_migrated');
    const noTable = await unmigrated.query({ pool: 'p' }).catch((e: unknown) => e);
    await unmigrated.close();
    expect(noTable).toBeInstanceOf(ErrorLogHistoryUnavailableError);
    expect(noTable).toMatchObject({ code: 'HISTORY_UNAVAILABLE', field: 'DATABASE_URL' });
    expect((noTable as ErrorLogHistoryUnavailableError).hint).toContain('migrations');

    const down = ErrorLogHistory.connect('postgres://postgres:hunter2@127.0.0.1:1/test');
    const refused = await down.query({ pool: 'p' }).catch((e: unknown) => e);
    await down.close();
    expect(refused).toBeInstanceOf(ErrorLogHistoryUnavailableError);
    expect(String((refused as Error).message)).not.toContain('hunter2');

    expect(() => ErrorLogHistory.fromEnv({})).toThrow(ValidationError);
    expect(() => ErrorLogHistory.fromEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/databaseUrl/);
  });
});
