import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { type JsonOption, withExamples, withJson } from '../options/help.js';
import { type Cli, CliError, UsageError } from '../runner/cli.js';

interface DeleteOptions extends JsonOption {
  yes?: boolean;
}

/** A destructive command asks first on a terminal; piped, it needs --yes (no silent default). */
async function confirm(cli: Cli, question: string): Promise<void> {
  const { stdin, stderr } = cli.io;
  if (!stdin.isTTY) throw new UsageError('not a terminal: confirm with --yes');
  stderr.write(`${question} [y/N] `);
  const prompt = createInterface({ input: stdin });
  const answer = await new Promise<string>((resolve) => {
    prompt.once('line', resolve);
    prompt.once('close', () => resolve(''));
  });
  prompt.close();
  if (!/^y(es)?$/i.test(answer.trim()))
    throw new CliError('NOT_CONFIRMED', 'not confirmed: nothing deleted', 'pool');
}

export function poolDelete(parent: Command, cli: Cli): Command {
  const command = withJson(
    parent
      .command('delete <pool>')
      .description('delete a pool with its proxies and sessions (refused while leases are live)')
      .option('--yes', 'do not ask (required when not on a terminal)'),
  );
  return withExamples(command, ['leasehold pool delete latam --yes']).action(
    async (pool: string, options: DeleteOptions) => {
      if (options.yes !== true) await confirm(cli, `delete pool ${pool} and every key of it?`);
      const { proxies } = await cli.manager().deletePool(pool);
      if (options.json) return cli.out.json({ deleted: pool, proxies });
      cli.out.line(`deleted pool ${pool} (${proxies} proxies)`);
    },
  );
}
