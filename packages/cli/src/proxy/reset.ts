import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import type { Cli } from '../runner/cli.js';

interface ResetOptions extends JsonOption {
  reason: string;
}

export function proxyReset(parent: Command, cli: Cli): Command {
  const command = parent
    .command('reset <pool> <id>')
    .description('close its circuit, clear failures and rests')
    .option('--reason <text>', 'recorded in the error log', 'manual_reset');
  return withJson(command).action(async (pool: string, id: string, options: ResetOptions) => {
    await cli.manager().resetProxy(pool, id, options.reason);
    if (options.json) return cli.out.json({ pool, proxyId: id, reset: true });
    cli.out.line(`proxy ${id} reset (health counters cleared, circuit closed)`);
  });
}
