import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { errorsCommand } from './errors/errors.js';
import { functionsCommand } from './functions/functions.js';
import { leaseCommands } from './lease/lease.js';
import { poolList } from './pool/list.js';
import { poolCommands } from './pool/pool.js';
import { poolStats } from './pool/stats.js';
import { proxyImport } from './proxy/import.js';
import { proxyList } from './proxy/list.js';
import { proxyCommands } from './proxy/proxy.js';
import { type Cli, UsageError } from './runner/cli.js';
import { dashboardCommand } from './services/dashboard.js';
import { demoCommand } from './services/demo.js';
import { gatewayCommand } from './services/gateway.js';
import { workerCommand } from './services/worker.js';
import { sessionCommands } from './session/session.js';

const ENV_HELP = `
Environment:
  REDIS_URL (default redis://127.0.0.1:6379; rediss://user:password@host:port for TLS)
  or REDIS_CLUSTER_NODES (host:port,...), REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS=true,
  LEASEHOLD_PREFIX (default lh), PROXY_LIST, PROXY_SERVER + PROXY_USERNAME + PROXY_PASSWORD,
  DATABASE_URL and DATABASE_SCHEMA (errors --history), LEASEHOLD_DASHBOARD_TOKEN,
  LEASEHOLD_GATEWAY_TOKEN.
  A private CA: NODE_EXTRA_CA_CERTS=ca.pem.
Exit codes: 0 ok, 1 failure, 2 usage (unknown command or option, a bad or missing value).
Credentials are masked unless --show-credentials; --json on every read prints JSON.`;

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** The whole `leasehold` command tree; its subcommands inherit the output and error settings. */
export function buildProgram(cli: Cli): Command {
  const { stdout, stderr } = cli.io;
  const program = new Command('leasehold')
    .usage('<command> [options]')
    .description('Leasehold: proxy pools, leases and sessions in Redis')
    .version(version, '-v, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      // Errors are printed once, by the runner, in the CLI's own one-line form.
      outputError: () => {},
    })
    .addHelpText('after', ENV_HELP);

  poolCommands(program, cli);
  proxyCommands(program, cli);
  leaseCommands(program, cli);
  sessionCommands(program, cli);
  errorsCommand(program, cli);
  functionsCommand(program, cli);
  workerCommand(program, cli);
  dashboardCommand(program, cli);
  gatewayCommand(program, cli);
  demoCommand(program, cli);
  program
    .command('bench', { hidden: true })
    .allowUnknownOption()
    .action(() => {
      // The suite needs the repository (a private redis-server harness, redis-semaphore).
      throw new UsageError('the benchmark suite is a repository command: `pnpm bench` in a clone');
    });

  // Short forms older scripts and the README use.
  poolList(program, cli, 'pools').description('same as pool list');
  poolStats(program, cli, 'stats').description('same as pool stats');
  proxyList(program, cli, 'proxies').description('same as proxy list');
  proxyImport(program, cli, 'import').description('same as proxy import');
  return program;
}
