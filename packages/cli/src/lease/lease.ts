import type { Command } from 'commander';
import type { Cli } from '../runner/cli.js';
import { leaseList } from './list.js';
import { leaseRelease } from './release.js';

/** `leasehold lease …` */
export function leaseCommands(program: Command, cli: Cli): void {
  const lease = program.command('lease').description('live leases');
  leaseList(lease, cli);
  leaseRelease(lease, cli);
}
