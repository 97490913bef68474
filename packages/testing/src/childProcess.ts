// Runs N copies of a TypeScript worker file as separate OS processes (`node --import tsx`),
// e.g. for "4 processes race for one lease" tests. Each child gets a JSON payload in
// $LEASEHOLD_CHILD_PAYLOAD and reports a JSON result as its last stdout line; see childWorker.ts.
//
//   const results = await runInChildProcesses<boolean>({
//     file: new URL('./race.worker.ts', import.meta.url),
//     count: 4,
//     payload: { target: ctx.target, prefix },
//   });
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CHILD_GO_LINE,
  CHILD_INDEX_ENV,
  CHILD_PAYLOAD_ENV,
  CHILD_READY_LINE,
} from './childWorker.js';
import { trackProcess, untrackProcess } from './trackedProcesses.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_CHARS = 4_000;

export interface RunInChildProcessesOptions<P> {
  /** The worker file: an absolute path or a file: URL, e.g. new URL('./x.worker.ts', import.meta.url). */
  file: string | URL;
  /** How many copies to run at once. */
  count: number;
  /** JSON-serialisable payload for every child, or a function giving each child its own. */
  payload?: P | ((index: number) => P);
  /** Kill every child and reject after this long. Default 30 s. */
  timeoutMs?: number;
  /** Extra environment variables for the children. */
  env?: Record<string, string>;
}

interface ChildOutcome {
  index: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The monorepo root: tsx reads its tsconfig.json there, which maps @leasehold/* to src. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dirname(dir) !== dir) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS ? `…${text.slice(-OUTPUT_TAIL_CHARS)}` : text;
}

function lastJsonLine(outcome: ChildOutcome): unknown {
  const lines = outcome.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== CHILD_READY_LINE);
  const last = lines.at(-1);
  if (last === undefined) throw new Error(`child ${outcome.index} printed no result line`);
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`child ${outcome.index}: last stdout line is not JSON: ${last}`);
  }
}

function describeFailure(outcome: ChildOutcome, file: string): string {
  const how = outcome.signal
    ? `was killed by ${outcome.signal}`
    : `exited with code ${outcome.code}`;
  return `worker ${file} (child ${outcome.index}) ${how}\nstderr:\n${tail(outcome.stderr)}\nstdout:\n${tail(outcome.stdout)}`;
}

/**
 * Starts `count` children of `file` together and resolves with their results in index
 * order. Rejects with the child's stderr if any child exits non-zero (the rest are killed),
 * prints no JSON result, or the run exceeds `timeoutMs`.
 */
export function runInChildProcesses<R = unknown, P = unknown>(
  options: RunInChildProcessesOptions<P>,
): Promise<R[]> {
  const file = options.file instanceof URL ? fileURLToPath(options.file) : options.file;
  const repoRoot = findRepoRoot();
  const tsconfig = join(repoRoot, 'tsconfig.json');
  const loader = tsxLoaderUrl();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const payloadFor = (index: number): P | undefined =>
    typeof options.payload === 'function'
      ? (options.payload as (index: number) => P)(index)
      : options.payload;

  return new Promise<R[]>((resolve, reject) => {
    const children: ChildProcess[] = [];
    const outcomes: ChildOutcome[] = [];
    // A child counts as "at the start line" once it printed the ready line or exited.
    const atStartLine = new Set<number>();
    let settled = false;

    const killAll = () => {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killAll();
      reject(error);
    };
    const releaseBarrierIfAllReady = () => {
      if (atStartLine.size !== options.count) return;
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null)
          child.stdin?.end(`${CHILD_GO_LINE}\n`);
      }
    };
    const timer = setTimeout(
      () => fail(new Error(`runInChildProcesses: ${file} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );

    for (let index = 0; index < options.count; index++) {
      const child = spawn(process.execPath, ['--import', loader, file], {
        cwd: repoRoot,
        env: {
          ...process.env,
          ...(existsSync(tsconfig) ? { TSX_TSCONFIG_PATH: tsconfig } : {}),
          ...options.env,
          [CHILD_PAYLOAD_ENV]: JSON.stringify(payloadFor(index) ?? null),
          [CHILD_INDEX_ENV]: String(index),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.push(child);
      if (child.pid !== undefined) trackProcess(child.pid);
      // Writing "go" to a child that just exited raises EPIPE; its exit is reported anyway.
      child.stdin?.on('error', () => {});

      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8');
      child.stderr?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        const wasReady = stdout.split('\n').includes(CHILD_READY_LINE);
        stdout += chunk;
        if (!wasReady && stdout.split('\n').includes(CHILD_READY_LINE)) {
          atStartLine.add(index);
          releaseBarrierIfAllReady();
        }
      });
      child.stderr?.on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('error', (error) =>
        fail(new Error(`could not start worker ${file}: ${error.message}`)),
      );
      child.on('close', (code, signal) => {
        if (child.pid !== undefined) untrackProcess(child.pid);
        const outcome: ChildOutcome = { index, code, signal, stdout, stderr };
        outcomes.push(outcome);
        atStartLine.add(index);
        releaseBarrierIfAllReady();
        if (code !== 0) {
          fail(new Error(describeFailure(outcome, file)));
          return;
        }
        if (outcomes.length < options.count || settled) return;
        try {
          const results = [...outcomes]
            .sort((a, b) => a.index - b.index)
            .map((o) => lastJsonLine(o) as R);
          settled = true;
          clearTimeout(timer);
          resolve(results);
        } catch (error) {
          fail(error as Error);
        }
      });
    }
  });
}
