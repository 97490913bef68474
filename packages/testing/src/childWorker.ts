// The worker side of runInChildProcesses: read the payload, optionally wait at the start
// line with the other children, print one JSON result line. Imports nothing from Vitest.
//
//   // race.worker.ts
//   import { runChildWorker, waitForStartSignal } from '@leasehold/testing';
//   runChildWorker<{ url: string }, boolean>(async ({ url }) => {
//     const redis = new Redis(url);
//     await waitForStartSignal(); // all children continue at the same moment
//     try { return await tryToLease(redis); } finally { await redis.quit(); }
//   });

/** Env var carrying the JSON payload. */
export const CHILD_PAYLOAD_ENV = 'LEASEHOLD_CHILD_PAYLOAD';
/** Env var carrying the child's index (0..count-1). */
export const CHILD_INDEX_ENV = 'LEASEHOLD_CHILD_INDEX';
/** Line a child prints when it reaches the start line; the parent answers on stdin. */
export const CHILD_READY_LINE = '__leasehold_child_ready__';
export const CHILD_GO_LINE = 'go';

/** The JSON payload the parent passed to this child. */
export function readChildPayload<P>(): P {
  const raw = process.env[CHILD_PAYLOAD_ENV];
  if (raw === undefined)
    throw new Error(`${CHILD_PAYLOAD_ENV} is not set: run this file through runInChildProcesses`);
  return JSON.parse(raw) as P;
}

/** This child's index among its siblings. */
export function childIndex(): number {
  return Number(process.env[CHILD_INDEX_ENV] ?? 0);
}

/**
 * Tells the parent this child is ready and resolves when every sibling is ready too, so
 * that racing code starts together instead of staggered by process start-up (~0.5 s).
 */
export function waitForStartSignal(): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      if (!buffered.split('\n').includes(CHILD_GO_LINE)) return;
      cleanUp();
      resolve();
    };
    const onEnd = () => {
      cleanUp();
      reject(new Error('stdin closed before the start signal: the parent is gone'));
    };
    const cleanUp = () => {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      // Let the process exit once its work is done.
      process.stdin.pause();
    };
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
    process.stdout.write(`${CHILD_READY_LINE}\n`);
  });
}

/**
 * Prints the result line the parent collects. Must be the last line written to stdout.
 * Resolves once it is flushed: exiting before that can cut a long line short.
 */
export function reportChildResult(result: unknown): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(`${JSON.stringify(result ?? null)}\n`, () => resolve());
  });
}

/**
 * Runs `work` with this child's payload, reports its result and exits 0; on error prints the
 * stack to stderr and exits 1. Exiting explicitly means stray open handles cannot hang the run.
 */
export function runChildWorker<P, R>(work: (payload: P, index: number) => Promise<R> | R): void {
  Promise.resolve()
    .then(() => work(readChildPayload<P>(), childIndex()))
    .then(
      async (result) => {
        await reportChildResult(result);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(
          `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        process.exit(1);
      },
    );
}
