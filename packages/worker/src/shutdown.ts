import type { Logger } from './logger.js';

/** A stuck close must not keep an orchestrator waiting forever; it kills us after its own grace. */
const DEFAULT_GRACE_MS = 30_000;

export interface ShutdownOptions {
  close: () => Promise<void>;
  logger: Logger;
  graceMs?: number;
  /** Injected in tests; default process.exit. */
  exit?: (code: number) => void;
}

/**
 * On SIGTERM or SIGINT: close (jobs in progress finish first) and exit 0. A second signal,
 * or a close that outlasts the grace period, exits 1 at once.
 */
export function exitOnSignals(options: ShutdownOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      options.logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    shuttingDown = true;
    options.logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      options.logger.error('shutdown took too long: exiting');
      exit(1);
    }, options.graceMs ?? DEFAULT_GRACE_MS);
    timer.unref();
    options.close().then(
      () => exit(0),
      (error: unknown) => {
        options.logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
