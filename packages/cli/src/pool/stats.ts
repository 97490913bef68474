import type { Command } from 'commander';
import { type JsonOption, withExamples, withJson } from '../options/help.js';
import type { Cli } from '../runner/cli.js';

/** `pool stats <pool>` (and its short form `stats`). */
export function poolStats(parent: Command, cli: Cli, name = 'stats'): Command {
  const command = withJson(parent.command(`${name} <pool>`).description('live stats of a pool'));
  return withExamples(command, ['leasehold pool stats latam --json']).action(
    async (pool: string, options: JsonOption) => {
      const stats = await cli.manager().getPoolStats(pool);
      if (options.json) return cli.out.json(stats);
      cli.out.fields(stats);
    },
  );
}
