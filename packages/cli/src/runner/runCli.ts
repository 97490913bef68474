import { buildProgram } from '../program.js';
import { Cli } from './cli.js';
import { reportFailure } from './failure.js';
import type { CliIo } from './io.js';

/**
 * Runs one `leasehold` command line and returns its exit code (0 ok, 1 failure, 2 usage).
 * Whatever happens (success, a typed error, a usage error, an unexpected throw), every
 * connection and server the command opened is closed before this returns, so the process
 * exits instead of hanging on an open socket.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const cli = new Cli(io);
  try {
    await buildProgram(cli).parseAsync([...argv], { from: 'user' });
    return cli.exitCode;
  } catch (error) {
    return reportFailure(cli.typed(error), io.stderr);
  } finally {
    await cli.close();
  }
}
