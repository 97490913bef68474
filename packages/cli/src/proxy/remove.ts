import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import type { Cli } from '../runner/cli.js';

export function proxyRemove(parent: Command, cli: Cli): Command {
  return withJson(
    parent.command('remove <pool> <id>').description('remove a proxy from its pool'),
  ).action(async (pool: string, id: string, options: JsonOption) => {
    await cli.manager().removeProxy(pool, id);
    if (options.json) return cli.out.json({ pool, proxyId: id, removed: true });
    cli.out.line(`proxy ${id} removed from ${pool}`);
  });
}
