import type { Command } from 'commander';
import type { Cli } from '../runner/cli.js';
import { sessionDisable } from './disable.js';
import { sessionList } from './list.js';
import { sessionShow } from './show.js';

/** `leasehold session …` */
export function sessionCommands(program: Command, cli: Cli): void {
  const session = program.command('session').description('sticky sessions');
  sessionList(session, cli);
  sessionShow(session, cli);
  sessionDisable(session, cli);
}
