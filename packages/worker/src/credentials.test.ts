import { Writable } from 'node:stream';
import { ProxyManager } from '@leasehold/client';
import { describeEachTarget } from '@leasehold/testing';
import { expect, it } from 'vitest';
import { startTestWorker, useTestSchema, waitFor } from '../test/testSupport.js';
import { JobName } from './jobs/schedules.js';
import { createLogger } from './logger.js';
import type { RedisEndpoint } from './options.js';

const PROXY_PASSWORDS = ['Pr0xy-pass-ONE', 'Pr0xy-pass-TWO'];
const DB_PASSWORD = 'Db-pass-THREE';
const REDIS_PASSWORD = 'Redis-pass-FOUR';

describeEachTarget('worker logs', (ctx) => {
  const db = useTestSchema();

  it('never contain a proxy, PostgreSQL or Redis password', async () => {
    const prefix = ctx.uniquePrefix();
    const lines: string[] = [];
    const logger = createLogger({
      level: 'trace',
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'secrets', failureThreshold: 1 });
    const urls = PROXY_PASSWORDS.map((pw, i) => `http://user${i}:${pw}@10.7.0.${i + 1}:8080`);
    await manager.addProxies('secrets', urls);
    for (const url of urls) {
      const lease = await manager.acquireProxy({ pool: 'secrets', durationSeconds: 0.1 });
      if (!lease) throw new Error('expected a lease');
      // Scrapers quote what they caught, URL and all.
      await manager.recordResult(lease, {
        ok: false,
        error: 'network',
        message: `ECONNREFUSED via ${url}`,
      });
    }

    // Credentials in both connection URLs (trust auth and a password-less Redis ignore them).
    const dbUrl = new URL(db.url);
    dbUrl.password = DB_PASSWORD;
    let redis: RedisEndpoint = ctx.target;
    if (ctx.target.kind === 'standalone') {
      const url = new URL(ctx.target.url);
      url.password = REDIS_PASSWORD;
      redis = url.toString();
    }
    const replica = await startTestWorker(ctx, prefix, {
      redis,
      logger,
      database: { url: dbUrl.toString(), schema: db.schema },
    });
    try {
      // Leases expire, circuits open and recover, entries reach PostgreSQL: every job has run.
      await waitFor(
        'the error log to reach PostgreSQL',
        async () => (await db.count("type = 'lease_expired'")) === 2,
      );
      await waitFor('a run of every job', async () => {
        const names = new Set(
          (await replica.queue.getJobs(['completed'], 0, -1)).map((j) => j.name),
        );
        return (
          names.has(JobName.LEASE_EXPIRY) &&
          names.has(JobName.COOLDOWN_RECOVERY) &&
          names.has(JobName.PERSIST_ERROR_LOGS)
        );
      });
      await fetch(`${replica.metricsUrl}/metrics`);
      await fetch(`${replica.metricsUrl}/healthz`);
      const { rows } = await db.pg.query(
        `SELECT message FROM ${db.schema}.error_log WHERE type = 'failure'`,
      );
      expect(rows).toHaveLength(2);
      for (const row of rows)
        expect(row.message).toMatch(/^ECONNREFUSED via http:\/\/\*\*\*:\*\*\*@10\.7\.0\.\d:8080$/);
    } finally {
      await replica.close();
    }

    const all = lines.join('');
    expect(all).toContain('worker started');
    expect(all).toContain('worker stopped');
    for (const secret of [...PROXY_PASSWORDS, DB_PASSWORD, REDIS_PASSWORD])
      expect(all).not.toContain(secret);
  });
});
