/**
 * leasehold — see `leasehold --help`. Config by env: REDIS_URL (default
 * redis://127.0.0.1:6379) or REDIS_CLUSTER_NODES, REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS,
 * LEASEHOLD_PREFIX (default lh), PROXY_LIST, DATABASE_URL.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import {
  createRedisClient,
  LeaseholdError,
  ProxyManager,
  redactCredentials,
  redisEndpointFromEnv,
} from '@leasehold/client';
import { Command, CommanderError } from 'commander';
import {
  type CommandContext,
  createPool,
  deletePool,
  importProxies,
  listPools,
  listProxies,
  poolStats,
  proxyHealth,
  removeProxy,
  resetProxy,
  scriptLibraries,
  showPool,
  transitionProxy,
  updatePool,
} from './commands.js';
import { errorEntries } from './errorEntries.js';
import { listLeases, listSessions, releaseLease, sessionState } from './leaseCommands.js';
import { runOptionalModule } from './optionalModules.js';

const ENV_HELP = `
Environment:
  REDIS_URL (default redis://127.0.0.1:6379; rediss://user:password@host:port for TLS)
  or REDIS_CLUSTER_NODES (host:port,...), REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS=true,
  LEASEHOLD_PREFIX (default lh), PROXY_LIST, PROXY_SERVER + PROXY_USERNAME + PROXY_PASSWORD,
  DATABASE_URL and DATABASE_SCHEMA (errors --history), LEASEHOLD_DASHBOARD_TOKEN.
  A private CA: NODE_EXTRA_CA_CERTS=ca.pem.
Exit codes: 0 ok, 1 failure, 2 usage (unknown command or option, a missing argument).
Credentials are masked unless --show-credentials; --json on every read prints JSON.`;

class UsageError extends Error {}

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const collect = (value: string, previous: string[] = []) => [...previous, value];
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Commander's camelCase options back to the flag names the command functions read. */
function flagsOf(opts: Record<string, unknown>): CommandContext['flags'] {
  return Object.fromEntries(
    Object.entries(opts).map(([k, v]) => [kebab(k), v as string | boolean | string[]]),
  );
}

type Run = (ctx: CommandContext) => Promise<void>;

/** Connected as the worker and the client connect: the same reading of REDIS_*. */
async function withManager(args: string[], opts: Record<string, unknown>, run: Run) {
  const redis = createRedisClient(redisEndpointFromEnv(process.env), {
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
  });
  const manager = new ProxyManager({ redis, prefix: process.env.LEASEHOLD_PREFIX ?? 'lh' });
  try {
    await run({ manager, redis, args, flags: flagsOf(opts) });
  } finally {
    await manager.close();
    // quit() would wait for a Redis that never answered; disconnect() does not.
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }
}

/** The action of a command that talks to Redis: positionals first, options last. */
const action =
  (run: Run) =>
  (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    const args = (params.slice(0, -2) as (string | string[] | undefined)[])
      .flat()
      .filter((a): a is string => a !== undefined);
    return withManager(args, command.opts(), run);
  };

/** A destructive command asks first on a terminal; piped, it needs --yes (no silent default). */
async function confirm(question: string): Promise<void> {
  if (!process.stdin.isTTY) throw new UsageError('not a terminal: confirm with --yes');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new Error('not confirmed: nothing deleted');
  } finally {
    prompt.close();
  }
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`;

/** A command with --json (every read has it). */
function read(parent: Command, spec: string, description: string): Command {
  return parent.command(spec).description(description).option('--json', 'print JSON');
}

function poolSettingsOptions(cmd: Command): Command {
  return cmd
    .option('--selector <selector>', 'round-robin, least-used, first-available, ...')
    .option('--lease-seconds <n>', 'default lease duration')
    .option('--failure-threshold <n>', 'consecutive failures that open a circuit')
    .option('--reuse-delay-seconds <s>', 'no proxy leased again sooner after a lease (0 = off)')
    .option('--scope-reuse-delay-seconds <s>', 'the same per scope (0 = off)')
    .option('--default-max-concurrency <n>', 'cap of proxies without their own (0 = none)')
    .option(
      '--min-health-score <x>',
      'bench proxies whose health score falls below (0..1, 0 = off)',
    )
    .option(
      '--health-check-url <url>',
      'probe open-circuit and benched proxies with it (off = none)',
    )
    .option('--health-check-interval <s>', 'probe each such proxy at most this often')
    .option('--health-check-timeout <s>', 'a probe slower than this fails');
}

function importOptions(cmd: Command): Command {
  return cmd
    .option('--file <path>', 'one proxy per line (URL or host:port:user:pass)')
    .option('--max-concurrency <n>', 'leases per proxy at once')
    .option('--label <name=value>', 'a label on every proxy (repeatable; any name)', collect)
    .option('--location <lat,lon>', 'where every proxy exits, for near filters')
    .option('--tag <tag>', 'a tag on every proxy (repeatable)', collect)
    .option('--json', 'print JSON');
}

function listProxiesOptions(cmd: Command): Command {
  return cmd
    .option('--limit <n>', 'at most n proxies', '1000')
    .option('--offset <n>', 'skip the first n', '0')
    .option('--show-credentials', 'print proxy passwords');
}

function errorsOptions(cmd: Command): Command {
  return cmd
    .option('--proxy <id>', 'entries of one proxy')
    .option('--session <id>', 'entries of one session')
    .option('--limit <n>', 'at most n entries')
    .option('--follow', 'keep printing new entries until Ctrl-C')
    .option('--for <seconds>', 'with --follow: stop after this long')
    .option('--history', 'older entries from PostgreSQL (DATABASE_URL)')
    .option('--type <type>', 'failure, transition or lease_expired (--history)')
    .option('--category <category>', 'failure category (--history)')
    .option('--since <time>', 'ISO date, epoch ms or 15m/2h/7d ago (--history)')
    .option('--until <time>', 'same forms as --since (--history)')
    .option('--before <id>', 'page on from an entry (--history)');
}

export function buildProgram(): Command {
  const program = new Command('leasehold')
    .usage('<command> [options]')
    .description('Leasehold: proxy pools, leases and sessions in Redis')
    .version(version, '-v, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    // Errors are printed once, by the catch below, in the CLI's own one-line form.
    .configureOutput({ outputError: () => {} })
    .addHelpText('after', ENV_HELP);

  const pool = program.command('pool').description('create, change, inspect pools');
  poolSettingsOptions(pool.command('create <pool>').description('create a pool'))
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['leasehold pool create latam --selector least-used']))
    .action(action(createPool));
  poolSettingsOptions(
    pool.command('update <pool>').description('change only the settings given; the rest are kept'),
  )
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['leasehold pool update latam --failure-threshold 5']))
    .action(action(updatePool));
  read(pool, 'show <pool>', 'the settings of a pool').action(action(showPool));
  read(pool, 'list', 'every pool with live stats').action(action(listPools));
  read(pool, 'stats <pool>', 'live stats of a pool')
    .addHelpText('after', examples(['leasehold pool stats latam --json']))
    .action(action(poolStats));
  pool
    .command('delete <pool>')
    .description('delete a pool with its proxies and sessions (refused while leases are live)')
    .option('--yes', 'do not ask (required when not on a terminal)')
    .option('--json', 'print JSON')
    .addHelpText('after', examples(['leasehold pool delete latam --yes']))
    .action(async (name: string, opts: { yes?: boolean }, command: Command) => {
      if (opts.yes !== true) await confirm(`delete pool ${name} and every key of it?`);
      await action(deletePool)(name, opts, command);
    });

  const proxy = program.command('proxy').description('add, list, inspect and change proxies');
  importOptions(proxy.command('add <pool> <urls...>').description('add proxies given as URLs'))
    .addHelpText('after', examples(['leasehold proxy add latam http://user:pass@10.0.0.1:8080']))
    .action(action((ctx) => importProxies(ctx, ctx.args.slice(1))));
  importOptions(
    proxy
      .command('import <pool>')
      .description(
        'import from --file, PROXY_LIST or PROXY_SERVER + PROXY_USERNAME + PROXY_PASSWORD',
      ),
  )
    .addHelpText(
      'after',
      examples([
        'leasehold proxy import latam --file proxies.txt --label country=AR --tag residential',
        "PROXY_LIST='http://u:p@10.0.0.1:8080,10.0.0.2:3128:user:pass' leasehold proxy import latam",
      ]),
    )
    .action(action((ctx) => importProxies(ctx)));
  listProxiesOptions(read(proxy, 'list <pool>', 'proxies with state, leases and health'))
    .addHelpText('after', examples(['leasehold proxy list latam --limit 50']))
    .action(action(listProxies));
  read(proxy, 'show <pool> <id>', 'state and health of one proxy').action(action(proxyHealth));
  read(proxy, 'health <pool> <id>', 'same as proxy show').action(action(proxyHealth));
  for (const [name, status] of [
    ['enable', 'active'],
    ['disable', 'disabled'],
  ] as const) {
    proxy
      .command(`${name} <pool> <id>`)
      .description(`${name} a proxy`)
      .option('--reason <text>', 'recorded in the error log', 'cli')
      .option('--json', 'print JSON')
      .addHelpText('after', examples([`leasehold proxy ${name} latam <id> --reason maintenance`]))
      .action(action((ctx) => transitionProxy(ctx, status)));
  }
  proxy
    .command('remove <pool> <id>')
    .description('remove a proxy from its pool')
    .option('--json', 'print JSON')
    .action(action(removeProxy));
  proxy
    .command('reset <pool> <id>')
    .description('close its circuit, clear failures and rests')
    .option('--reason <text>', 'recorded in the error log', 'manual_reset')
    .option('--json', 'print JSON')
    .action(action(resetProxy));

  const lease = program.command('lease').description('live leases');
  read(lease, 'list <pool>', 'live leases, soonest deadline first')
    .option('--limit <n>', 'at most n leases', '100')
    .action(action(listLeases));
  lease
    .command('release <pool> <leaseId>')
    .description('release a live lease without an outcome')
    .option('--proxy <id>', 'its proxy (found from the lease deadlines otherwise)')
    .option('--json', 'print JSON')
    .action(action(releaseLease));

  const session = program.command('session').description('sticky sessions');
  read(session, 'list <pool>', 'live sessions, oldest first')
    .option('--limit <n>', 'at most n sessions', '100')
    .action(action(listSessions));
  read(session, 'show <pool> <id>', 'state of one session').action(
    action((ctx) => sessionState(ctx)),
  );
  session
    .command('disable <pool> <id>')
    .description('disable a session')
    .option('--reason <text>', 'recorded in the error log', 'cli')
    .option('--json', 'print JSON')
    .action(action((ctx) => sessionState(ctx, 'disabled')));

  errorsOptions(
    read(program, 'errors <pool>', 'the error log: recent from Redis, older with --history'),
  )
    .addHelpText(
      'after',
      examples([
        'leasehold errors latam --proxy <id> --limit 20',
        'leasehold errors latam --follow',
        'leasehold errors latam --history --category blocked --since 2h',
      ]),
    )
    .action(action(errorEntries));

  read(
    program,
    'functions [prune]',
    "Leasehold's Redis Functions libraries; prune drops other versions'",
  ).action(action(scriptLibraries));

  program
    .command('worker')
    .description('run the BullMQ housekeeping worker (+ /metrics)')
    .action(async () => {
      const { runWorkerCommand } = await import('./workerCommand.js');
      process.exitCode = await runWorkerCommand();
    });
  program
    .command('dashboard')
    .description('serve the dashboard (LEASEHOLD_DASHBOARD_TOKEN protects a non-loopback bind)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '9470')
    .addHelpText('after', examples(['leasehold dashboard --port 9470']))
    .action((opts: { host: string; port: string }) =>
      runOptionalModule('dashboard', { host: opts.host, port: Number(opts.port) }),
    );
  program
    .command('demo')
    .description('real requests through local proxies, watched on the dashboard')
    .option('--seconds <n>', 'stop after n seconds')
    .option('--scrapers <n>', 'scraper processes')
    .addHelpText('after', examples(['leasehold demo --seconds 60']))
    .action((opts: { seconds?: string; scrapers?: string }) =>
      runOptionalModule('demo', {
        ...(opts.seconds === undefined ? {} : { seconds: Number(opts.seconds) }),
        ...(opts.scrapers === undefined ? {} : { scrapers: Number(opts.scrapers) }),
      }),
    );
  program
    .command('bench', { hidden: true })
    .allowUnknownOption()
    .action(() => {
      // The suite needs the repository (a private redis-server harness, redis-semaphore).
      throw new UsageError('the benchmark suite is a repository command: `pnpm bench` in a clone');
    });

  // Short forms older scripts and the README use.
  read(program, 'pools', 'same as pool list').action(action(listPools));
  read(program, 'stats <pool>', 'same as pool stats').action(action(poolStats));
  listProxiesOptions(read(program, 'proxies <pool>', 'same as proxy list')).action(
    action(listProxies),
  );
  importOptions(program.command('import <pool>').description('same as proxy import')).action(
    action((ctx) => importProxies(ctx)),
  );
  return program;
}

/** Commander's usage errors in one line: `unknown option '--x'` (its own "error: " dropped). */
function commanderMessage(error: CommanderError): string {
  return redactCredentials(error.message.replace(/^error: /, ''));
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit 0; a bare `leasehold` printed its help as an error.
      if (error.exitCode === 0) return;
      if (error.code === 'commander.help') {
        process.exitCode = 2;
        return;
      }
      process.stderr.write(
        `leasehold: ${commanderMessage(error)}\nUsage: leasehold <command> [options] (leasehold <command> --help)\n`,
      );
      process.exitCode = 2;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`leasehold: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.exitCode = 1;
  if (error instanceof LeaseholdError) {
    const issues = 'issues' in error ? (error.issues as { field: string; message: string }[]) : [];
    const field = error.field === undefined ? '' : `, ${error.field}`;
    // A LeaseholdError's text is built from redacted values already.
    process.stderr.write(`leasehold: ${error.message} [${error.code}${field}]\n`);
    for (const issue of issues.slice(1))
      process.stderr.write(`  ${issue.field}: ${issue.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    return;
  }
  // Whatever it is, never echo a password (a REDIS_URL in a connection error, say).
  process.stderr.write(
    `leasehold: ${redactCredentials(error instanceof Error ? error.message : String(error))}\n`,
  );
});
