import { ProxyManager } from '@leasehold/client';
import {
  describeEachTarget,
  type LoopbackProxy,
  startHttpProxy,
  startSocksProxy,
  startTargetSite,
  type TargetSite,
  TestClock,
  useTestClockLibrary,
} from '@leasehold/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { capturedLogger, startTestWorker, testSchema, waitFor } from '../../test/testSupport.js';
import { ErrorLogHistory } from '../errorLog/errorLogHistory.js';
import { ErrorLogStore } from '../errorLog/errorLogStore.js';
import { ErrorLogStream } from '../errorLog/errorLogStream.js';
import { migrateDatabase } from '../errorLog/migrations.js';
import { persistErrorLogs } from '../errorLog/persistErrorLogs.js';
import { silentLogger } from '../logger.js';
import { runHealthChecks } from './healthCheck.js';
import { JobName } from './schedules.js';

// The probe interval is passed by moving the pool's clock, not by sleeping.
useTestClockLibrary();

const USER = 'probe-user';
const PASSWORD = 's3cret-probe-pw';
const SITE_USER = 'checker';
const SITE_PASSWORD = 'site p@ss:w0rd';
const COOLDOWN_SECONDS = 1920;
const INTERVAL_SECONDS = 30;

let site: TargetSite;
/** A site whose `/private` wants Basic auth with SITE_USER / SITE_PASSWORD. */
let privateSite: TargetSite;
let httpProxy: LoopbackProxy;
let socksProxy: LoopbackProxy;
/** A port that refuses connections: a proxy that is down. */
let deadProxyUrl: string;

beforeAll(async () => {
  site = await startTargetSite();
  privateSite = await startTargetSite({
    basicAuth: { username: SITE_USER, password: SITE_PASSWORD },
  });
  httpProxy = await startHttpProxy({ username: USER, password: PASSWORD });
  socksProxy = await startSocksProxy({ username: USER, password: PASSWORD });
  const dead = await startHttpProxy({ username: USER, password: PASSWORD });
  deadProxyUrl = dead.url;
  await dead.close();
});

afterAll(async () => {
  await Promise.all([site.close(), privateSite.close(), httpProxy.close(), socksProxy.close()]);
});

const fail = { ok: false as const, error: 'network' as const, message: 'ECONNRESET' };

describeEachTarget('health-check job: active probes through the proxy', (ctx) => {
  /** A pool whose circuits open at the first failure, for a long cooldown. */
  async function poolWith(urls: string[], settings: Record<string, unknown> = {}) {
    const prefix = ctx.uniquePrefix();
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    const pool = 'hc';
    await manager.upsertPool({
      name: pool,
      failureThreshold: 1,
      cooldown: { baseSeconds: COOLDOWN_SECONDS, maxSeconds: COOLDOWN_SECONDS },
      healthCheck: {
        url: `${site.origin}/ok`,
        intervalSeconds: INTERVAL_SECONDS,
        timeoutSeconds: 2,
      },
      ...settings,
    });
    const records = await manager.addProxies(pool, urls);
    const clock = TestClock.forPool(ctx.redis(), manager.keys, pool);
    return { prefix, manager, pool, ids: records.map((r) => r.id), clock };
  }

  /** Take every proxy out with one failed lease each. */
  async function failEach(manager: ProxyManager, pool: string, n: number) {
    for (let i = 0; i < n; i++) {
      const lease = await manager.acquireProxy({ pool });
      if (lease === null) throw new Error('expected a lease');
      await manager.releaseProxy(lease, fail);
    }
  }

  it('a working proxy (http or socks5) closes at once, well before its cooldown; a dead one stays open', async () => {
    const { manager, pool, ids } = await poolWith([httpProxy.url, socksProxy.url, deadProxyUrl]);
    const [httpId, socksId, deadId] = ids as [string, string, string];
    await failEach(manager, pool, 3);
    const deadBefore = await manager.getProxyState(pool, deadId);
    expect(deadBefore).toMatchObject({ circuit: 'open' });
    expect(await manager.acquireProxy({ pool })).toBeNull();
    const okHits = site.hits('/ok');
    const started = Date.now();

    const summary = await runHealthChecks(manager);

    expect(summary).toEqual({ pools: 1, probed: 3, passed: 2, failed: 1 });
    // Closed now, not in 32 minutes: the whole run took a small fraction of the cooldown.
    expect(Date.now() - started).toBeLessThan(COOLDOWN_SECONDS * 1000 * 0.01);
    for (const id of [httpId, socksId]) {
      expect(await manager.getProxyState(pool, id)).toMatchObject({
        circuit: 'closed',
        cooldownUntil: null,
        consecutiveFailures: 0,
        opens: 0,
      });
      // The probe counts in health like a lease's outcome.
      expect(await manager.getProxyHealth(pool, id)).toMatchObject({ successes: 1, failures: 1 });
    }
    expect(await manager.getProxyState(pool, deadId)).toMatchObject({
      circuit: 'open',
      cooldownUntil: deadBefore.cooldownUntil,
    });
    expect(await manager.getProxyHealth(pool, deadId)).toMatchObject({ failures: 2 });

    // Through the proxies themselves, with the record's credentials.
    expect(site.hits('/ok') - okHits).toBe(2);
    expect(httpProxy.usernames.at(-1)).toBe(USER);
    expect(socksProxy.usernames.at(-1)).toBe(USER);

    // Entries marked as probes: the transitions a pass made, the failure of the dead one.
    const entries = await manager.getErrorLog(pool, { limit: 50 });
    for (const id of [httpId, socksId]) {
      expect(entries).toContainEqual(
        expect.objectContaining({
          type: 'transition',
          proxyId: id,
          from: 'open',
          to: 'closed',
          reason: 'health_check_passed',
          probe: true,
        }),
      );
    }
    expect(entries).toContainEqual(
      expect.objectContaining({
        type: 'failure',
        proxyId: deadId,
        consumer: 'health-check',
        category: 'network',
        probe: true,
      }),
    );
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);

    // Back in rotation: leasable again.
    const back = await manager.acquireProxy({ pool });
    expect([httpId, socksId]).toContain(back?.proxyId);
  });

  it('a health-check URL with credentials sends them as Basic auth: the proxy recovers, no log shows them', async () => {
    const privateUrl = (password: string) =>
      `http://${SITE_USER}:${password}@127.0.0.1:${privateSite.port}/private`;
    const { manager, pool, ids } = await poolWith([httpProxy.url, socksProxy.url], {
      healthCheck: { url: privateUrl(encodeURIComponent(SITE_PASSWORD)), intervalSeconds: 60 },
    });
    const [httpId, socksId] = ids as [string, string];
    await failEach(manager, pool, 2);
    const hits = privateSite.hits('/private');

    expect(await runHealthChecks(manager)).toEqual({ pools: 1, probed: 2, passed: 2, failed: 0 });
    expect(privateSite.hits('/private') - hits).toBe(2);
    for (const id of [httpId, socksId]) {
      expect(await manager.getProxyState(pool, id)).toMatchObject({ circuit: 'closed' });
    }

    // A wrong password is the site's 401, a failed probe that names no credential.
    const wrong = await poolWith([httpProxy.url], {
      healthCheck: { url: privateUrl('not-it'), intervalSeconds: 60 },
    });
    await failEach(wrong.manager, wrong.pool, 1);
    expect(await runHealthChecks(wrong.manager)).toMatchObject({ probed: 1, failed: 1 });
    const [failure] = await wrong.manager.getErrorLog(wrong.pool, { limit: 1 });
    expect(failure).toMatchObject({ type: 'failure', statusCode: 401, probe: true });
    const logged = JSON.stringify([
      await manager.getErrorLog(pool, { limit: 50 }),
      await wrong.manager.getErrorLog(wrong.pool, { limit: 50 }),
    ]);
    for (const secret of [SITE_PASSWORD, encodeURIComponent(SITE_PASSWORD), 'not-it']) {
      expect(logged).not.toContain(secret);
    }
  });

  it('probes a proxy at most once per interval, even with two replicas sweeping at once', async () => {
    const { prefix, manager, pool, ids, clock } = await poolWith([deadProxyUrl]);
    await failEach(manager, pool, 1);
    const replicas = await Promise.all(
      [0, 1].map(async () => new ProxyManager({ redis: await ctx.newClient(), prefix })),
    );
    try {
      const both = await Promise.all(replicas.map((m) => runHealthChecks(m)));
      expect(both.map((s) => s.probed).sort()).toEqual([0, 1]);
      expect((await runHealthChecks(manager)).probed).toBe(0);

      await clock.advance(INTERVAL_SECONDS * 1000 - 2000);
      expect((await runHealthChecks(manager)).probed).toBe(0);
      await clock.advance(2000);
      expect(await runHealthChecks(manager)).toMatchObject({ probed: 1, failed: 1 });
      expect(await manager.getProxyHealth(pool, ids[0] as string)).toMatchObject({ failures: 3 });
    } finally {
      await Promise.all(replicas.map((m) => m.close()));
    }
  });

  it('honours the timeout: a proxy whose answer never comes fails as a timeout', async () => {
    const { manager, pool, ids } = await poolWith([httpProxy.url], {
      healthCheck: { url: `${site.origin}/slow`, intervalSeconds: 60, timeoutSeconds: 0.3 },
    });
    await failEach(manager, pool, 1);
    const started = Date.now();
    expect(await runHealthChecks(manager)).toMatchObject({ probed: 1, failed: 1 });
    expect(Date.now() - started).toBeLessThan(5_000);
    const [entry] = await manager.getErrorLog(pool, { proxyId: ids[0] as string, limit: 1 });
    expect(entry).toMatchObject({ type: 'failure', category: 'timeout', probe: true });
    expect(await manager.getProxyState(pool, ids[0] as string)).toMatchObject({ circuit: 'open' });
  });

  it('a benched proxy comes back through a passed probe; pools without healthCheck are left alone', async () => {
    const { manager, pool, ids } = await poolWith([httpProxy.url], {
      failureThreshold: 50,
      minHealthScore: 0.5,
    });
    const other = await poolWith([socksProxy.url], { failureThreshold: 50, minHealthScore: 0.5 });
    await other.manager.upsertPool({ name: other.pool, healthCheck: null });
    await failEach(manager, pool, 1);
    await failEach(other.manager, other.pool, 1);
    const id = ids[0] as string;
    expect(await manager.getProxyState(pool, id)).toMatchObject({
      benched: true,
      circuit: 'closed',
    });

    expect(await runHealthChecks(manager)).toMatchObject({ pools: 1, probed: 1, passed: 1 });
    expect(await runHealthChecks(other.manager)).toMatchObject({ pools: 0, probed: 0 });
    expect(await manager.getProxyState(pool, id)).toMatchObject({ benched: false });
    expect(await other.manager.getProxyState(other.pool, other.ids[0] as string)).toMatchObject({
      benched: true,
    });
    const [entry] = await manager.getErrorLog(pool, { proxyId: id, limit: 1 });
    expect(entry).toMatchObject({
      type: 'transition',
      from: 'benched',
      to: 'in_rotation',
      reason: 'health_check_passed',
      probe: true,
    });
    expect((await manager.acquireProxy({ pool }))?.proxyId).toBe(id);
  });

  it('probe entries keep their mark in the PostgreSQL history', async () => {
    const { manager, pool, ids } = await poolWith([httpProxy.url, deadProxyUrl]);
    await failEach(manager, pool, 2);
    await runHealthChecks(manager);
    const db = testSchema();
    await migrateDatabase(db.url, db.schema, silentLogger());
    const store = ErrorLogStore.connect(db.url, db.schema);
    const history = ErrorLogHistory.connect(db.url, db.schema);
    try {
      const stream = new ErrorLogStream(ctx.redis(), manager.keys, 'probe-history');
      await persistErrorLogs({
        manager,
        stream,
        store,
        settings: { batchSize: 1000, claimIdleMs: 60_000, maxEntriesPerRun: 100_000 },
      });
      const recent = await manager.getErrorLog(pool, { limit: 100 });
      const older = await history.query({ pool, limit: 100 });
      expect(older).toEqual(recent);
      const probes = older.filter((e) => e.probe === true);
      expect(probes.map((e) => [e.proxyId, e.type]).sort()).toEqual(
        [
          [ids[0], 'transition'],
          [ids[1], 'failure'],
        ].sort(),
      );
    } finally {
      await Promise.all([store.close(), history.close()]);
      await db.drop();
    }
  });

  it('runs as a scheduled BullMQ job whose output and logs never show credentials', async () => {
    const { prefix, manager, pool, ids } = await poolWith([httpProxy.url, deadProxyUrl]);
    await failEach(manager, pool, 2);
    const { lines, logger } = capturedLogger();
    const worker = await startTestWorker(ctx, prefix, {
      logger,
      intervals: { healthCheckMs: 100, leaseExpiryMs: 1000, cooldownRecoveryMs: 1000 },
    });
    try {
      const job = await waitFor(
        'a health-check job that probed',
        async () =>
          (await worker.queue.getJobs(['completed'], 0, -1)).find(
            (j) => j.name === JobName.HEALTH_CHECK && j.returnvalue?.probed > 0,
          ),
        10_000,
      );
      expect(job.returnvalue).toMatchObject({ pools: 1, probed: 2, passed: 1, failed: 1 });
      const { logs } = await worker.queue.getJobLogs(job.id as string);
      expect(logs.join('\n')).toContain(`${pool}: 2 probed, 1 back in rotation, 1 kept out`);
      const output = JSON.stringify([job.returnvalue, logs, lines]);
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(USER);
      expect(await manager.getProxyState(pool, ids[0] as string)).toMatchObject({
        circuit: 'closed',
      });
    } finally {
      await worker.close();
    }
  });
});
