import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import { integer } from '../options/parsers.js';
import { isoTime } from '../output/output.js';
import { existingPoolKeys } from '../pool/existing.js';
import type { Cli } from '../runner/cli.js';

interface ListOptions extends JsonOption {
  limit: number;
}

const COLUMNS = [
  'id',
  'proxyId',
  'status',
  'usageCount',
  'consecutiveFailures',
  'leased',
  'createdAt',
  'lastUsedAt',
];

/** Live sessions, oldest first; each one's state (its cookie data only in --json). */
export function sessionList(parent: Command, cli: Cli): Command {
  const command = parent
    .command('list <pool>')
    .description('live sessions, oldest first')
    .option('--limit <n>', 'at most n sessions', integer(1, 10_000), 100);
  return withJson(command).action(async (pool: string, options: ListOptions) => {
    const keys = await existingPoolKeys(cli, pool);
    const ids = await cli.redis().zrange(keys.sessions, 0, options.limit - 1);
    const manager = cli.manager();
    const sessions = await Promise.all(ids.map((id) => manager.getSessionState(pool, id)));
    if (options.json) return cli.out.json(sessions);
    cli.out.table(
      sessions.map((s) => ({
        ...s,
        createdAt: isoTime(s.createdAt),
        lastUsedAt: isoTime(s.lastUsedAt),
      })),
      COLUMNS,
    );
  });
}
