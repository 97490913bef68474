/**
 * leasehold — see `leasehold help`. Config by env: REDIS_URL (default
 * redis://127.0.0.1:6379) or REDIS_CLUSTER_NODES, REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS,
 * LEASEHOLD_PREFIX (default lh), PROXY_LIST, DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import {
  createRedisClient,
  LeaseholdError,
  ProxyManager,
  redactCredentials,
  redisEndpointFromEnv,
} from '@leasehold/client';
import {
  type CommandContext,
  createPool,
  importProxies,
  listPools,
  listProxies,
  poolStats,
  proxyHealth,
  scriptLibraries,
  transitionProxy,
  updatePool,
} from './commands.js';
import { errorEntries } from './errorEntries.js';

const HELP = `leasehold <command> [options]

  pools                                   list pools with live stats
  pool create <pool> [--selector s] [--lease-seconds n] [--failure-threshold n]
  pool update <pool> [same flags]         change only the settings given; the rest are kept
  stats <pool>                            live pool stats
  proxies <pool> [--limit n] [--offset n] [--show-credentials]
  import <pool> [--file F] [--max-concurrency n] [--label name=value]... [--tag t]...
                                          one proxy per line (URL or host:port:user:pass);
                                          without --file, reads PROXY_LIST
  proxy health <pool> <id>                state and health of one proxy
  proxy disable|enable <pool> <id> [--reason text]
  errors <pool> [--proxy id] [--session id] [--limit n]
                                          recent entries, from the pool's Redis stream
  errors <pool> --history [--proxy id] [--session id] [--type t] [--category c]
         [--since T] [--until T] [--before id] [--limit n]
                                          older entries, from the PostgreSQL history the
                                          worker keeps (DATABASE_URL, DATABASE_SCHEMA); T is
                                          an ISO date, epoch ms or a duration ago (15m, 2h,
                                          7d); --before <id> pages on from an entry
  functions [prune]                       Leasehold's Redis Functions libraries; prune deletes
                                          those of other (older) versions on every master
  worker                                  run the BullMQ housekeeping worker (+ /metrics)

  --json on every read prints JSON. Credentials are masked unless --show-credentials.
  Env: REDIS_URL (default redis://127.0.0.1:6379; rediss://user:password@host:port for TLS)
       or REDIS_CLUSTER_NODES (host:port,...), REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS=true,
       LEASEHOLD_PREFIX (default lh), PROXY_LIST. A private CA: NODE_EXTRA_CA_CERTS=ca.pem.
       DATABASE_URL and DATABASE_SCHEMA (errors --history).
  Exit codes: 0 ok, 1 failure, 2 usage (unknown command or option).
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      'show-credentials': { type: 'boolean' },
      selector: { type: 'string' },
      'lease-seconds': { type: 'string' },
      'failure-threshold': { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
      file: { type: 'string' },
      'max-concurrency': { type: 'string' },
      label: { type: 'string', multiple: true },
      tag: { type: 'string', multiple: true },
      reason: { type: 'string' },
      proxy: { type: 'string' },
      session: { type: 'string' },
      history: { type: 'boolean' },
      type: { type: 'string' },
      category: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      before: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (command === undefined || command === 'help' || values.help) {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'bench') {
    // The suite needs the repository (a private redis-server harness, redis-semaphore).
    throw new UsageError('the benchmark suite is a repository command: `pnpm bench` in a clone');
  }
  if (command === 'worker') {
    const { runWorkerCommand } = await import('./workerCommand.js');
    return runWorkerCommand();
  }

  // Connected as the worker and the client connect: the same reading of REDIS_*.
  const redis = createRedisClient(redisEndpointFromEnv(process.env), {
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
  });
  const manager = new ProxyManager({ redis, prefix: process.env.LEASEHOLD_PREFIX ?? 'lh' });
  const ctx: CommandContext = { manager, args: rest, flags: values };
  try {
    const [sub, ...subArgs] = rest;
    switch (command) {
      case 'pools':
        await listPools(ctx);
        break;
      case 'pool':
        if (sub === 'create') await createPool({ ...ctx, args: subArgs });
        else if (sub === 'update') await updatePool({ ...ctx, args: subArgs });
        else throw new UsageError(`unknown pool command ${sub ?? ''}`);
        break;
      case 'stats':
        await poolStats(ctx);
        break;
      case 'proxies':
        await listProxies(ctx);
        break;
      case 'import':
        await importProxies(ctx);
        break;
      case 'proxy':
        if (sub === 'health') await proxyHealth({ ...ctx, args: subArgs });
        else if (sub === 'disable' || sub === 'enable')
          await transitionProxy(
            { ...ctx, args: subArgs },
            sub === 'disable' ? 'disabled' : 'active',
          );
        else throw new UsageError(`unknown proxy command ${sub ?? ''}`);
        break;
      case 'errors':
        await errorEntries(ctx);
        break;
      case 'functions':
        await scriptLibraries(ctx);
        break;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
    return 0;
  } finally {
    await manager.close();
    // quit() would wait for a Redis that never answered; disconnect() does not.
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }
}

class UsageError extends Error {}

/** parseArgs' own errors (an unknown option, a missing value) are usage errors too. */
function usageMessage(error: unknown): string | undefined {
  if (error instanceof UsageError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    // Node's message goes on with advice about `--`; its first sentence names the option.
    return redactCredentials((error as Error).message.split('. ')[0] as string);
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = usageMessage(error);
    if (usage !== undefined) {
      process.stderr.write(`leasehold: ${usage}\n\n${HELP}`);
      process.exit(2);
    }
    if (error instanceof LeaseholdError) {
      const issues =
        'issues' in error ? (error.issues as { field: string; message: string }[]) : [];
      process.stderr.write(`leasehold: ${error.message}\n`);
      for (const issue of issues.slice(1))
        process.stderr.write(`  ${issue.field}: ${issue.message}\n`);
      if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
      process.exit(1);
    }
    // Whatever it is, never echo a password (a REDIS_URL in a connection error, say).
    process.stderr.write(
      `leasehold: ${redactCredentials(error instanceof Error ? error.message : String(error))}\n`,
    );
    process.exit(1);
  },
);
