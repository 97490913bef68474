import type { TextSink } from '../output/output.js';

/**
 * Everything a command touches outside itself, injected so commands run in-process in tests:
 * the output streams, stdin (confirmations), the environment, and the source of SIGINT and
 * SIGTERM for the commands that run until stopped.
 */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  signals: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signals: process,
});
