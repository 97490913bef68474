import { randomBytes } from 'node:crypto';
import { ProxyManager } from '@leasehold/client';
import { aclDenials, describeEachSecureTarget, secureClient } from '@leasehold/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  spawnWorkerProcess,
  type TestSchema,
  testSchema,
  type WorkerProcess,
  waitFor,
} from './testSupport.js';

describeEachSecureTarget('worker over TLS with an ACL user', 'worker', (ctx) => {
  let db: TestSchema;
  const processes: WorkerProcess[] = [];

  beforeAll(() => {
    db = testSchema();
  });
  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await db?.drop();
  });

  it("does every job under exactly README's worker ACL, with nothing denied", async () => {
    const redis = ctx.redis();
    const pool = `acl-${randomBytes(4).toString('hex')}`;
    const adminClient = secureClient(redis, redis.admin);
    const manager = new ProxyManager({ redis: adminClient });
    try {
      await manager.upsertPool({ name: pool });
      await manager.addProxies(pool, ['http://u:p@10.0.0.1:8080']);
      const lease = await manager.acquireProxy({ pool, durationSeconds: 0.2 });
      expect(lease).not.toBeNull();
      await aclDenials(redis, true);

      const worker = spawnWorkerProcess({
        ...redis.env(ctx.user()),
        LEASEHOLD_PREFIX: 'lh',
        DATABASE_URL: db.url,
        DATABASE_SCHEMA: db.schema,
        METRICS_PORT: '0',
        LEASE_EXPIRY_EVERY_MS: '200',
        COOLDOWN_RECOVERY_EVERY_MS: '200',
        PERSIST_ERROR_LOGS_EVERY_MS: '200',
      });
      processes.push(worker);
      await worker.waitForLog('worker started', (e) => e.msg === 'worker started', 60_000);
      // The expired lease is reclaimed by the worker (nothing else acquires), logged, and
      // the log entry reaches PostgreSQL through the consumer group.
      await waitFor(
        'the expired lease in PostgreSQL',
        async () => (await db.count("type = 'lease_expired'")) === 1,
        30_000,
        100,
      );
      const started = worker.lines
        .map((line) => JSON.parse(line) as { msg?: string; metrics?: string })
        .find((entry) => entry.msg === 'worker started');
      const metrics = await fetch(`${started?.metrics}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain(pool);
      worker.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    } finally {
      await manager.close();
      await adminClient.quit();
    }
    expect(await aclDenials(redis)).toEqual([]);
  }, 120_000);

  it('a wrong password stops the start with REDIS_AUTH_FAILED and never prints it', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const redis = ctx.redis();
    const worker = spawnWorkerProcess({
      ...redis.env({ username: ctx.user().username, password: wrong }),
      METRICS_PORT: '0',
    });
    processes.push(worker);
    const { code } = await worker.exited;
    const output = `${worker.lines.join('\n')}\n${worker.stderr()}`;
    expect(code).toBe(1);
    expect(output).toContain('REDIS_AUTH_FAILED');
    expect(output).not.toContain(wrong);
    await aclDenials(redis, true);
  }, 60_000);
});
