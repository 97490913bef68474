import { type ErrorCategory, type ErrorLogEntry, ValidationError } from '@leasehold/client';
import { ERROR_CATEGORIES } from '@leasehold/core';
import { ERROR_LOG_TYPES, type ErrorLogHistoryQuery } from '@leasehold/worker';
import { type Command, Option } from 'commander';
import { type JsonOption, withExamples, withJson } from '../options/help.js';
import { integer } from '../options/parsers.js';
import type { Cli } from '../runner/cli.js';
import { followErrorLog } from './follow.js';
import { historyEntries } from './history.js';
import { parseInstant } from './instant.js';
import { ERROR_COLUMNS, errorLine, errorRow } from './rows.js';

/**
 * `leasehold errors`: the recent window from the pool's Redis stream (getErrorLog), or with
 * `--history` the PostgreSQL history the worker persisted. Both print the same entries the
 * same way; an entry has the same id in both.
 */

interface ErrorsOptions extends JsonOption {
  proxy?: string;
  session?: string;
  limit: number;
  follow?: boolean;
  for?: number;
  history?: boolean;
  type?: ErrorLogHistoryQuery['type'];
  category?: ErrorCategory;
  since?: string;
  until?: string;
  before?: string;
}

/** Flags only the PostgreSQL history can answer. */
const HISTORY_ONLY = ['type', 'category', 'since', 'until', 'before'] as const;

/** Option combinations that cannot work, refused before anything connects. */
function checkCombinations(options: ErrorsOptions): void {
  const refuse = (field: string, message: string) => {
    throw new ValidationError([{ field, message }]);
  };
  if (options.follow && options.history) refuse('--follow', 'reads Redis; drop --history');
  if (options.for !== undefined && !options.follow) refuse('--for', 'goes with --follow');
  const historyOnly = HISTORY_ONLY.find((name) => options[name] !== undefined);
  if (historyOnly !== undefined && !options.history)
    refuse(`--${historyOnly}`, 'filters the PostgreSQL history: add --history');
}

function historyQuery(pool: string, options: ErrorsOptions): ErrorLogHistoryQuery {
  const query: ErrorLogHistoryQuery = { pool, limit: options.limit };
  if (options.proxy !== undefined) query.proxyId = options.proxy;
  if (options.session !== undefined) query.sessionId = options.session;
  if (options.type !== undefined) query.type = options.type;
  if (options.category !== undefined) query.category = options.category;
  if (options.since !== undefined) query.since = parseInstant('since', options.since);
  if (options.until !== undefined) query.until = parseInstant('until', options.until);
  if (options.before !== undefined) query.before = options.before;
  return query;
}

async function errorEntries(cli: Cli, pool: string, options: ErrorsOptions): Promise<void> {
  checkCombinations(options);
  const filter = {
    ...(options.proxy === undefined ? {} : { proxyId: options.proxy }),
    ...(options.session === undefined ? {} : { sessionId: options.session }),
  };
  if (options.follow) {
    const print = options.json
      ? (e: ErrorLogEntry) => cli.out.jsonLine(e)
      : (e: ErrorLogEntry) => cli.out.line(errorLine(e));
    const { limit } = options;
    const forSeconds = options.for === undefined ? {} : { forSeconds: options.for };
    return followErrorLog(cli, pool, { ...filter, limit, ...forSeconds }, print);
  }
  const entries = options.history
    ? await historyEntries(cli, historyQuery(pool, options))
    : await cli.manager().getErrorLog(pool, { ...filter, limit: options.limit });
  if (options.json) return cli.out.json(entries);
  cli.out.table(entries.map(errorRow), ERROR_COLUMNS);
}

export function errorsCommand(program: Command, cli: Cli): Command {
  const command = withJson(
    program
      .command('errors <pool>')
      .description('the error log: recent from Redis, older with --history')
      .option('--proxy <id>', 'entries of one proxy')
      .option('--session <id>', 'entries of one session')
      .option('--limit <n>', 'at most n entries', integer(1, 10_000), 50)
      .option('--follow', 'keep printing new entries until Ctrl-C')
      .option('--for <seconds>', 'with --follow: stop after this long', integer(1, 2_592_000))
      .option('--history', 'older entries from PostgreSQL (DATABASE_URL)')
      .addOption(new Option('--type <type>', 'entry type (--history)').choices(ERROR_LOG_TYPES))
      .addOption(
        new Option('--category <category>', 'failure category (--history)').choices(
          ERROR_CATEGORIES,
        ),
      )
      .option('--since <time>', 'ISO date, epoch ms or 15m/2h/7d ago (--history)')
      .option('--until <time>', 'same forms as --since (--history)')
      .option('--before <id>', 'page on from an entry (--history)'),
  );
  return withExamples(command, [
    'leasehold errors latam --proxy <id> --limit 20',
    'leasehold errors latam --follow',
    'leasehold errors latam --history --category blocked --since 2h',
  ]).action((pool: string, options: ErrorsOptions) => errorEntries(cli, pool, options));
}
