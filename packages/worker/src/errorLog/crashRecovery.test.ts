import { readdir, readFile, readlink } from 'node:fs/promises';
import { ProxyManager } from '@leasehold/client';
import { KeySchema } from '@leasehold/core/internal';
import { describeEachTarget, type RedisClient } from '@leasehold/testing';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  redisEnv,
  spawnWorkerProcess,
  type TestSchema,
  testSchema,
  type WorkerProcess,
  waitFor,
  writeErrorEntries,
} from '../../test/testSupport.js';
import { ErrorLogStream } from './errorLogStream.js';

const ENTRIES = 10_000;
const DB_PASSWORD = 'db-Secret-7Qx2';
const REDIS_PASSWORD = 'redis-Secret-9Kp4';

/** The test database URL with a password in it (trust auth ignores it) unless it has one. */
function withPassword(url: string): { url: string; password: string } {
  const parsed = new URL(url);
  if (parsed.password) return { url, password: decodeURIComponent(parsed.password) };
  parsed.password = DB_PASSWORD;
  return { url: parsed.toString(), password: DB_PASSWORD };
}

/** Local ports of a live process's TCP sockets (Linux /proc): its addresses in CLIENT LIST. */
async function tcpPortsOf(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const columns of rows.map((row) => row.trim().split(/\s+/))) {
      if (inodes.has(columns[9] as string))
        ports.push(Number.parseInt((columns[1] as string).split(':')[1] as string, 16));
    }
  }
  return ports;
}

/** Whether any Redis node still has a client connected from one of these local ports. */
async function anyClientFrom(redis: RedisClient, ports: number[]): Promise<boolean> {
  const nodes = 'nodes' in redis ? redis.nodes('master') : [redis];
  const lists = await Promise.all(nodes.map((n) => n.client('LIST') as Promise<string>));
  const connected = new Set(
    [...lists.join('\n').matchAll(/ addr=[^ ]*:(\d+) /g)].map((m) => Number(m[1])),
  );
  return ports.some((port) => connected.has(port));
}

interface JobDone {
  msg?: string;
  job?: string;
  summary?: { persisted?: number; reclaimed?: number; duplicates?: number };
}

describeEachTarget('worker process: crash mid-batch, restart, graceful stop', (ctx) => {
  let db: TestSchema;
  const processes: WorkerProcess[] = [];
  beforeAll(() => {
    db = testSchema();
  });
  afterEach(() => {
    for (const p of processes.splice(0)) p.kill('SIGKILL');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('persists 10,000 entries exactly once across a SIGKILL, then exits 0 on SIGTERM', async () => {
    const prefix = ctx.uniquePrefix();
    const keys = new KeySchema(prefix);
    const manager = new ProxyManager({ redis: ctx.redis(), prefix });
    await manager.upsertPool({ name: 'bulk', errorLogMaxLength: 20_000 });
    const ids = await writeErrorEntries(ctx.redis(), keys, 'bulk', ENTRIES);

    const database = withPassword(db.url);
    let redis = redisEnv(ctx.target);
    if (ctx.target.kind === 'standalone') {
      // A password the private server does not need: ioredis warns and carries on.
      const url = new URL(ctx.target.url);
      url.password = REDIS_PASSWORD;
      redis = { REDIS_URL: url.toString() };
    }
    const env = {
      ...redis,
      LEASEHOLD_PREFIX: prefix,
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: db.schema,
      METRICS_PORT: '0',
      LEASE_EXPIRY_EVERY_MS: '1000',
      COOLDOWN_RECOVERY_EVERY_MS: '1000',
      PERSIST_ERROR_LOGS_EVERY_MS: '200',
      LOG_LEVEL: 'debug',
    };
    const stream = new ErrorLogStream(ctx.redis(), keys, 'test-observer');

    // Kill a worker while it holds a batch: read from the stream, not yet acknowledged. The
    // kill can land just after an acknowledgement, so try again (rarely needed) until one
    // leaves entries pending.
    const killed: WorkerProcess[] = [];
    let pendingAfterKill = 0;
    for (let attempt = 0; attempt < 4 && pendingAfterKill === 0; attempt++) {
      const victim = spawnWorkerProcess({ ...env, ERROR_LOG_BATCH_SIZE: '1000' });
      processes.push(victim);
      killed.push(victim);
      const before = await db.count('pool = $1', ['bulk']).catch(() => 0); // no table yet
      await waitFor(
        'a worker to be mid-batch',
        async () => {
          const [persisted, pending] = await Promise.all([
            db.count('pool = $1', ['bulk']).catch(() => 0),
            stream.pendingCount('bulk'),
          ]);
          return persisted >= before + 1000 && pending > 0;
        },
        20_000,
        5,
      );
      const victimPorts = await tcpPortsOf(victim.child.pid as number);
      victim.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');
      // Commands the worker sent just before dying may still be executing: Redis drops a
      // connection only after running what it had read from it. Once none of the dead
      // worker's connections is left, this is frozen: what it read but never acknowledged.
      await waitFor(
        "the dead worker's connections to close",
        async () => !(await anyClientFrom(ctx.redis(), victimPorts)),
        10_000,
        10,
      );
      pendingAfterKill = await stream.pendingCount('bulk');
    }
    const persistedAfterKill = await db.count('pool = $1', ['bulk']);
    console.log(
      `[${ctx.target.kind}] SIGKILL after ${killed.length} start(s): ${persistedAfterKill} persisted, ${pendingAfterKill} read but not acknowledged`,
    );
    expect(pendingAfterKill).toBeGreaterThan(0);
    expect(persistedAfterKill).toBeLessThan(ENTRIES);

    // One job at a time: with runs every 200 ms overlapping on a busy machine, one run could
    // take over (after 500 ms) the batch an earlier run of the same replica is still inserting.
    const second = spawnWorkerProcess({
      ...env,
      ERROR_LOG_CLAIM_IDLE_MS: '500',
      WORKER_CONCURRENCY: '1',
    });
    processes.push(second);
    await waitFor(
      'every entry in PostgreSQL and none pending',
      async () =>
        (await db.count('pool = $1', ['bulk'])) === ENTRIES &&
        (await stream.pendingCount('bulk')) === 0,
      20_000,
      50,
    );
    expect(await db.count('pool = $1 AND entry_id = ANY($2)', ['bulk', ids])).toBe(ENTRIES);
    // Acknowledged, not deleted: the stream is still the readers' recent window.
    expect(await ctx.redis().xlen(keys.poolKeys('bulk').errorLog)).toBe(ENTRIES);

    // The second worker took over exactly what the dead ones left pending (the run doing it
    // may still be logging its summary when the rows are already in).
    const reclaimedBySecond = () =>
      second.lines
        .map((line) => JSON.parse(line) as JobDone)
        .filter((e) => e.job === 'persist-error-logs')
        .reduce((n, e) => n + (e.summary?.reclaimed ?? 0), 0);
    await waitFor('the take-over summary', () => reclaimedBySecond() >= pendingAfterKill, 10_000);
    expect(reclaimedBySecond()).toBe(pendingAfterKill);

    second.kill('SIGTERM');
    const exit = await second.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    const messages = second.lines.map((line) => (JSON.parse(line) as JobDone).msg);
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('worker stopped');

    // No credential in any line either process wrote.
    const everything = [...killed, second].flatMap((p) => [...p.lines, p.stderr()]).join('\n');
    expect(everything).not.toContain(database.password);
    expect(everything).not.toContain(REDIS_PASSWORD);
    expect(everything).toContain('***');
    // Three worker processes start (tsx) and 10,000 rows go in: on a shared 2-core machine
    // that alone can take half a minute.
  }, 90_000);
});
