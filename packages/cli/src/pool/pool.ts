import type { Command } from 'commander';
import type { Cli } from '../runner/cli.js';
import { poolCreate } from './create.js';
import { poolDelete } from './delete.js';
import { poolList } from './list.js';
import { poolShow } from './show.js';
import { poolStats } from './stats.js';
import { poolUpdate } from './update.js';

/** `leasehold pool …` */
export function poolCommands(program: Command, cli: Cli): void {
  const pool = program.command('pool').description('create, change, inspect pools');
  poolCreate(pool, cli);
  poolUpdate(pool, cli);
  poolShow(pool, cli);
  poolList(pool, cli);
  poolStats(pool, cli);
  poolDelete(pool, cli);
}
