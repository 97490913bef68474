import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import { existingPoolKeys } from '../pool/existing.js';
import type { Cli } from '../runner/cli.js';

interface DisableOptions extends JsonOption {
  reason: string;
}

export function sessionDisable(parent: Command, cli: Cli): Command {
  const command = parent
    .command('disable <pool> <id>')
    .description('disable a session')
    .option('--reason <text>', 'recorded in the error log', 'cli');
  return withJson(command).action(async (pool: string, id: string, options: DisableOptions) => {
    await existingPoolKeys(cli, pool);
    const changed = await cli
      .manager()
      .transitionSessionState(pool, id, 'disabled', options.reason);
    if (options.json) return cli.out.json({ pool, sessionId: id, status: 'disabled', changed });
    cli.out.line(changed ? `session ${id} is now disabled` : `session ${id} was already disabled`);
  });
}
