import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import { existingPoolKeys } from '../pool/existing.js';
import type { Cli } from '../runner/cli.js';

export function sessionShow(parent: Command, cli: Cli): Command {
  return withJson(parent.command('show <pool> <id>').description('state of one session')).action(
    async (pool: string, id: string, options: JsonOption) => {
      await existingPoolKeys(cli, pool);
      const state = await cli.manager().getSessionState(pool, id);
      if (options.json) return cli.out.json(state);
      const { data, ...rest } = state;
      cli.out.fields({ ...rest, data: `${Buffer.byteLength(data)} bytes (--json prints it)` });
    },
  );
}
