import { once } from 'node:events';
import { LeaseholdError } from '@leasehold/client';
import type { Command } from 'commander';
import { withExamples } from '../options/help.js';
import { integer } from '../options/parsers.js';
import type { Cli } from '../runner/cli.js';

interface DashboardOptions {
  host: string;
  port: number;
  allowedHost: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** @leasehold/dashboard, loaded only when asked for: a missing one is one clear line. */
async function loadDashboard() {
  try {
    return await import('@leasehold/dashboard');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new LeaseholdError('NOT_INSTALLED', '@leasehold/dashboard is not installed', {
        field: '@leasehold/dashboard',
        hint: 'npm install @leasehold/dashboard next to @leasehold/cli',
      });
    throw error;
  }
}

/** Serves until Ctrl-C or SIGTERM; a refusal to start (no token off loopback) exits at once. */
export function dashboardCommand(program: Command, cli: Cli): Command {
  const command = program
    .command('dashboard')
    .description('serve the dashboard (LEASEHOLD_DASHBOARD_TOKEN protects a non-loopback bind)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on', integer(0, 65_535), 9470)
    .option(
      '--allowed-host <name>',
      'a Host the dashboard answers to besides loopback and the bind host (repeatable; also LEASEHOLD_DASHBOARD_ALLOWED_HOSTS, comma-separated)',
      collect,
      [],
    );
  return withExamples(command, [
    'leasehold dashboard --port 9470',
    'LEASEHOLD_DASHBOARD_TOKEN=… leasehold dashboard --host 0.0.0.0 --allowed-host leasehold.internal',
  ]).action(async (options: DashboardOptions) => {
    const { startDashboard, validateDashboardOptions } = await loadDashboard();
    const { env } = cli.io;
    const fromEnv = (env.LEASEHOLD_DASHBOARD_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    const settings = {
      host: options.host,
      port: options.port,
      prefix: cli.prefix,
      allowedHosts: [...fromEnv, ...options.allowedHost],
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
      ...(env.LEASEHOLD_DASHBOARD_TOKEN ? { token: env.LEASEHOLD_DASHBOARD_TOKEN } : {}),
    };
    // Refusals (no token off loopback, a bad host or allowed host) before any connection.
    validateDashboardOptions(settings);
    await cli.untilStopped(async (stop) => {
      const server = await startDashboard({ ...settings, redis: cli.redis() });
      cli.onClose(() => server.close());
      cli.out.line(`dashboard on ${server.url}`);
      await once(stop, 'abort');
    });
  });
}
