import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import type { Cli } from '../runner/cli.js';

const COLUMNS = [
  'pool',
  'totalProxies',
  'activeProxies',
  'availableProxies',
  'leasedProxies',
  'totalLeases',
  'openCircuits',
  'liveSessions',
];

/** `pool list` (and its short form `pools`): every pool with its live stats. */
export function poolList(parent: Command, cli: Cli, name = 'list'): Command {
  return withJson(parent.command(name).description('every pool with live stats')).action(
    async (options: JsonOption) => {
      const manager = cli.manager();
      const pools = await manager.listPools();
      const rows = await Promise.all(
        pools.map(async (pool) => ({ pool, ...(await manager.getPoolStats(pool)) })),
      );
      if (options.json) return cli.out.json(rows);
      cli.out.table(rows, COLUMNS);
    },
  );
}
