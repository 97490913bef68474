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
  errorLog,
  importProxies,
  listPools,
  listProxies,
  poolStats,
  proxyHealth,
  scriptLibraries,
  transitionProxy,
} from './commands.js';

const HELP = `leasehold <command> [options]

  pools                                   list pools with live stats
  pool create <pool> [--selector s] [--lease-seconds n] [--failure-threshold n]
  stats <pool>                            live pool stats
  proxies <pool> [--limit n] [--offset n] [--show-credentials]
  import <pool> [--file F] [--max-concurrency n] [--label name=value]... [--tag t]...
                                          one proxy per line (URL or host:port:user:pass);
                                          without --file, reads PROXY_LIST
  proxy health <pool> <id>                state and health of one proxy
  proxy disable|enable <pool> <id> [--reason text]
  errors <pool> [--proxy id] [--session id] [--limit n]
  functions [prune]                       Leasehold's Redis Functions libraries; prune deletes
                                          those of other (older) versions on every master
  worker                                  run the BullMQ housekeeping worker (+ /metrics)
  bench [--smoke] [--out FILE]            run the benchmark suite on a private redis-server

  --json on every read prints JSON. Credentials are masked unless --show-credentials.
  Env: REDIS_URL (default redis://127.0.0.1:6379; rediss://user:password@host:port for TLS)
       or REDIS_CLUSTER_NODES (host:port,...), REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS=true,
       LEASEHOLD_PREFIX (default lh), PROXY_LIST. A private CA: NODE_EXTRA_CA_CERTS=ca.pem.
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
      smoke: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (command === undefined || command === 'help' || values.help) {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'bench') {
    const { runBenchCommand } = await import('./benchCommand.js');
    return runBenchCommand({ smoke: values.smoke === true, out: values.out });
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
        if (sub !== 'create') throw new UsageError(`unknown pool command ${sub ?? ''}`);
        await createPool({ ...ctx, args: subArgs });
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
        await errorLog(ctx);
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`leasehold: ${error.message}\n\n${HELP}`);
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
