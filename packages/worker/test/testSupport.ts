// Helpers shared by the worker's test files (not part of the published package).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KeySchema } from '@leasehold/core/internal';
import type { RedisClient, RedisTarget, TargetContext } from '@leasehold/testing';
import type { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, afterEach } from 'vitest';
import { createLogger, type Logger, type LogLevel } from '../src/logger.js';
import type { WorkerOptions } from '../src/options.js';
import { startWorker, type WorkerHandle } from '../src/worker.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll `probe` until it returns a value that is not undefined/false, or fail after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A worker logger whose serialised lines (after redaction) are collected in `lines`. */
export function capturedLogger(level: LogLevel = 'trace'): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level, destination }) };
}

// ---- PostgreSQL ----------------------------------------------------------------------

/** The machine's PostgreSQL (trust auth), or DATABASE_URL when set. */
export function testDatabaseUrl(): string {
  // The role is explicit: pg would default it to $USER, which a CI shell may not set.
  return process.env.DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test';
}

export interface TestSchema {
  url: string;
  schema: string;
  /** A pool for assertions, closed by drop(). */
  pg: pg.Pool;
  count(where?: string, params?: unknown[]): Promise<number>;
  drop(): Promise<void>;
}

/** A fresh schema name per test run; drop() removes it with everything in it. */
export function testSchema(): TestSchema {
  const url = testDatabaseUrl();
  const schema = `lhw_test_${randomBytes(5).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // An idle connection ended by the server (a test's outage, a restart) must not crash the
  // run: the next query reconnects.
  pool.on('error', () => {});
  return {
    url,
    schema,
    pg: pool,
    async count(where = 'TRUE', params = []) {
      const result = await pool.query(
        `SELECT count(*)::int AS n FROM ${schema}.error_log WHERE ${where}`,
        params,
      );
      return result.rows[0].n as number;
    },
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    },
  };
}

/**
 * A suite that persists: a schema of its own (dropped after the suite) and the replicas its
 * tests start (push them to `replicas`; closed after each test).
 */
export function usePersistenceFixture(): { db: TestSchema; replicas: WorkerHandle[] } {
  const db = useTestSchema();
  const replicas: WorkerHandle[] = [];
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.close()));
  });
  return { db, replicas };
}

/** A schema of the suite's own (the pool connects lazily), dropped after the suite. */
export function useTestSchema(): TestSchema {
  const db = testSchema();
  afterAll(() => db.drop());
  return db;
}

/**
 * A database the test can take away and give back: a role of its own owning a fresh schema.
 * goDown() locks the role out (NOLOGIN) and ends its sessions, so every connection the worker
 * makes is refused by the real server; comeBack() lets it in again.
 */
export interface SwitchableDatabase {
  /** The role's URL (give this to the worker). */
  url: string;
  schema: string;
  /** Assertions, as the superuser. */
  admin: TestSchema;
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  drop(): Promise<void>;
}

export async function switchableDatabase(): Promise<SwitchableDatabase> {
  const admin = testSchema();
  const role = `lhw_role_${randomBytes(5).toString('hex')}`;
  const url = new URL(admin.url);
  const database = pg.escapeIdentifier(decodeURIComponent(url.pathname.slice(1)));
  await admin.pg.query(`CREATE ROLE ${role} LOGIN`);
  await admin.pg.query(`GRANT CREATE ON DATABASE ${database} TO ${role}`);
  await admin.pg.query(`CREATE SCHEMA ${admin.schema} AUTHORIZATION ${role}`);
  url.username = role;
  url.password = '';
  return {
    url: url.href,
    schema: admin.schema,
    admin,
    async goDown() {
      await admin.pg.query(`ALTER ROLE ${role} NOLOGIN`);
      await admin.pg.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1',
        [role],
      );
    },
    async comeBack() {
      await admin.pg.query(`ALTER ROLE ${role} LOGIN`);
    },
    async drop() {
      await admin.pg.query(`DROP OWNED BY ${role} CASCADE`);
      await admin.pg.query(`DROP ROLE ${role}`);
      await admin.pg.end();
    },
  };
}

// ---- in-process replicas ------------------------------------------------------------

/** A replica on the suite's Redis with short intervals and a free metrics port. */
export function startTestWorker(
  ctx: TargetContext,
  prefix: string,
  overrides: Partial<WorkerOptions> = {},
): Promise<WorkerHandle> {
  return startWorker({
    redis: ctx.target,
    prefix,
    metrics: { port: 0, host: '127.0.0.1' },
    intervals: { leaseExpiryMs: 200, cooldownRecoveryMs: 200, persistErrorLogsMs: 300 },
    ...overrides,
  });
}

/**
 * Completed jobs of the queue by name, with the time slot each was scheduled for (a job
 * scheduler's job id is `repeat:<scheduler id>:<slot ms>`): unlike the time it was processed,
 * the slot does not move when a busy machine picks the job up late.
 */
export async function completedJobs(queue: Queue): Promise<Map<string, number[]>> {
  const jobs = await queue.getJobs(['completed'], 0, -1);
  const byName = new Map<string, number[]>();
  for (const job of jobs) {
    const times = byName.get(job.name) ?? [];
    times.push(Number(/:(\d+)$/.exec(job.id ?? '')?.[1] ?? Number.NaN));
    byName.set(job.name, times);
  }
  for (const times of byName.values()) times.sort((a, b) => a - b);
  return byName;
}

// ---- error-log streams --------------------------------------------------------------

/**
 * Append `count` entries to a pool's error-log stream in the scripts' format, pipelined
 * (fast: no lease traffic), capped at `maxLength` (`MAXLEN ~`) as the scripts cap it, when
 * given. Returns their ids.
 */
export async function writeErrorEntries(
  redis: RedisClient,
  keys: KeySchema,
  pool: string,
  count: number,
  fields: (i: number) => Record<string, string> = (i) => ({
    type: 'failure',
    proxyId: `proxy${i % 50}`,
    leaseId: `lease-${i}`,
    consumer: `scraper-${i % 7}`,
    category: 'timeout',
    statusCode: '504',
    message: `request ${i} timed out`,
    latencyMs: String(1000 + (i % 500)),
  }),
  maxLength?: number,
): Promise<string[]> {
  const key = keys.poolKeys(pool).errorLog;
  const ids: string[] = [];
  const chunk = 1000;
  for (let start = 0; start < count; start += chunk) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(count, start + chunk); i++) {
      const flat = Object.entries({ pool, at: String(Date.now()), ...fields(i) }).flat();
      if (maxLength === undefined) pipeline.xadd(key, '*', ...flat);
      else pipeline.xadd(key, 'MAXLEN', '~', maxLength, '*', ...flat);
    }
    for (const [error, id] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      ids.push(id as string);
    }
  }
  return ids;
}

// ---- Prometheus text ----------------------------------------------------------------

/** `name{a="x",b="y"}` (labels sorted) → value, from the Prometheus text format. */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    out.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]));
  }
  return out;
}

/** The series key parsePrometheus uses. */
export function series(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  return `${name}{${parts.join(',')}}`;
}

// ---- the worker as a child process (main.ts) ----------------------------------------

const workerRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(workerRoot, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Every stdout line so far (pino JSON). */
  lines: string[];
  stderr: () => string;
  waitForLog(
    what: string,
    match: (entry: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** Environment variables main.ts reads, for a Redis target. */
export function redisEnv(target: RedisTarget): Record<string, string> {
  return target.kind === 'standalone'
    ? { REDIS_URL: target.url }
    : { REDIS_CLUSTER_NODES: target.nodes.map((n) => `${n.host}:${n.port}`).join(',') };
}

/** Runs `pnpm --filter @leasehold/worker start`'s entry (src/main.ts) the way tsx does. */
export function spawnWorkerProcess(env: Record<string, string>): WorkerProcess {
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', loader, join(workerRoot, 'src', 'main.ts')], {
    cwd: workerRoot,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.json'),
      // Never inherit the developer's settings: the test says exactly what to use.
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: '',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l !== ''));
  });
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const parsed = (line: string): Record<string, unknown> => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async waitForLog(what, match, timeoutMs = 20_000) {
      await waitFor(
        `worker log "${what}"`,
        () => {
          if (child.exitCode !== null)
            throw new Error(
              `worker exited (${child.exitCode}) before "${what}":\n${stderr}\n${lines.join('\n')}`,
            );
          return lines.some((line) => match(parsed(line)));
        },
        timeoutMs,
      );
    },
  };
}
