// Remembers every OS process the harness spawns so none outlives the test run:
// they are SIGKILLed (and their temp dirs removed) on this process's 'exit', and a detached
// watchdog does the same for redis-server if this process dies without running 'exit' handlers.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/** pid -> temp dir to remove with it (or undefined). */
const live = new Map<number, string | undefined>();
let exitHookInstalled = false;

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL and a sync rm are all we can do here.
  process.on('exit', () => {
    for (const [pid, tempDir] of live) {
      killQuietly(pid, 'SIGKILL');
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    }
  });
}

/** Kill `pid` (and remove `tempDir`) when this process exits, unless untracked before. */
export function trackProcess(pid: number, tempDir?: string): void {
  installExitHook();
  live.set(pid, tempDir);
}

export function untrackProcess(pid: number): void {
  live.delete(pid);
}

/** Pids spawned by this process that have not been stopped yet. */
export function trackedPids(): number[] {
  return [...live.keys()];
}

// Polls once a second: exits quietly when the child is gone, kills it when we are gone.
const WATCHDOG_SCRIPT = `
while kill -0 "$PARENT_PID" 2>/dev/null; do
  kill -0 "$CHILD_PID" 2>/dev/null || exit 0
  sleep 1
done
kill -KILL "$CHILD_PID" 2>/dev/null
if [ -n "$CHILD_TEMP_DIR" ]; then rm -rf -- "$CHILD_TEMP_DIR"; fi
exit 0
`;

/**
 * Starts a detached `sh` that SIGKILLs `childPid` (and removes `tempDir`) if this process
 * dies abruptly (SIGKILL, a crashed Vitest worker) and so never runs its 'exit' hook.
 * Returns a function that dismisses the watchdog; call it before stopping the child on purpose.
 */
export function killIfParentDies(childPid: number, tempDir?: string): () => void {
  const watchdog = spawn('sh', ['-c', WATCHDOG_SCRIPT], {
    detached: true,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PARENT_PID: String(process.pid),
      CHILD_PID: String(childPid),
      CHILD_TEMP_DIR: tempDir ?? '',
    },
  });
  watchdog.unref();
  const watchdogPid = watchdog.pid;
  if (watchdogPid === undefined) return () => {};
  trackProcess(watchdogPid);
  return () => {
    untrackProcess(watchdogPid);
    killQuietly(watchdogPid, 'SIGKILL');
  };
}
