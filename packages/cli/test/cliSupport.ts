import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { runCli } from '../src/runner/runCli.js';

/**
 * The `leasehold` command run in-process, as a person would type it, with its IO captured:
 * stdout and stderr apart, and both in the order they were written (`both`), so a test can
 * tell what came before a line on stderr from what came after.
 */
export interface InProcessCli {
  /** The exit code, once the command has ended. */
  readonly done: Promise<number>;
  stdout(): string;
  stderr(): string;
  both(): string;
  /** Sends the command SIGINT (what Ctrl-C would). */
  interrupt(): void;
}

export function startCli(args: string[], env: Record<string, string>): InProcessCli {
  const out: string[] = [];
  const err: string[] = [];
  const all: string[] = [];
  const signals = new EventEmitter();
  const sink = (into: string[]) => ({
    write(chunk: string) {
      into.push(chunk);
      all.push(chunk);
      return true;
    },
  });
  const done = runCli(args, {
    stdout: sink(out),
    stderr: sink(err),
    stdin: new PassThrough(),
    env,
    signals,
  });
  return {
    done,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    both: () => all.join(''),
    interrupt: () => signals.emit('SIGINT'),
  };
}

/** Runs one command to its end: its code and what it printed. */
export async function cliInProcess(args: string[], env: Record<string, string>) {
  const cli = startCli(args, env);
  const code = await cli.done;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}
