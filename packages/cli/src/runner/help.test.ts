import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { cliInProcess } from '../../test/cliSupport.js';
import { buildProgram } from '../program.js';
import { Cli } from './cli.js';

/** Every command path of the tree (`pool`, `pool create`, …), hidden ones left out. */
function commandPaths(command: Command, above: string[] = []): string[][] {
  return command.commands
    .filter((sub) => !(sub as unknown as { _hidden: boolean })._hidden)
    .flatMap((sub) => {
      const path = [...above, sub.name()];
      return [path, ...commandPaths(sub, path)];
    });
}

describe('leasehold --help', () => {
  it('answers for the program and every command and subcommand, exit 0, nothing connects', async () => {
    const sink = { write: () => true };
    const io = { stdout: sink, stderr: sink, stdin: new PassThrough(), env: {}, signals: process };
    const paths = commandPaths(buildProgram(new Cli(io)));
    expect(paths.length).toBeGreaterThan(30);
    // Nothing listens on port 1: a command that connected would fail, not print help.
    const env = { REDIS_URL: 'redis://127.0.0.1:1' };
    const top = await cliInProcess(['--help'], env);
    expect(top).toMatchObject({ code: 0, stderr: '' });
    for (const path of paths) {
      const help = await cliInProcess([...path, '--help'], env);
      expect(help.code, path.join(' ')).toBe(0);
      expect(help.stdout).toContain(`Usage: leasehold ${path.join(' ')}`);
    }
  });
});
