import type { Command } from 'commander';
import { type JsonOption, withExamples, withJson } from '../options/help.js';
import type { Cli } from '../runner/cli.js';

interface StatusOptions extends JsonOption {
  reason: string;
}

/** `proxy enable` and `proxy disable`: the operator's status, recorded in the error log. */
export function proxyStatus(parent: Command, cli: Cli, verb: 'enable' | 'disable'): Command {
  const status = verb === 'enable' ? 'active' : 'disabled';
  const command = withJson(
    parent
      .command(`${verb} <pool> <id>`)
      .description(`${verb} a proxy`)
      .option('--reason <text>', 'recorded in the error log', 'cli'),
  );
  return withExamples(command, [`leasehold proxy ${verb} latam <id> --reason maintenance`]).action(
    async (pool: string, id: string, options: StatusOptions) => {
      const changed = await cli.manager().transitionProxyState(pool, id, status, options.reason);
      if (options.json) return cli.out.json({ pool, proxyId: id, status, changed });
      cli.out.line(changed ? `proxy ${id} is now ${status}` : `proxy ${id} was already ${status}`);
    },
  );
}
