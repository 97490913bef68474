import type { Command } from 'commander';
import type { Cli } from '../runner/cli.js';

/** `leasehold worker`: the same process as `pnpm --filter @leasehold/worker start`. */
export function workerCommand(program: Command, cli: Cli): Command {
  return program
    .command('worker')
    .description('run the BullMQ housekeeping worker (+ /metrics)')
    .action(async () => {
      const { runWorkerFromEnv } = await import('@leasehold/worker');
      cli.exitCode = await runWorkerFromEnv(cli.io.env);
    });
}
