import { once } from 'node:events';
import { LeaseholdError } from '@leasehold/client';
import type { Command } from 'commander';
import { withExamples } from '../options/help.js';
import { integer } from '../options/parsers.js';
import type { Cli } from '../runner/cli.js';

interface DashboardOptions {
  host: string;
  port: number;
}

/** @leasehold/dashboard, loaded only when asked for: a missing one is one clear line. */
async function loadDashboard() {
  try {
    return (await import('@leasehold/dashboard')).startDashboard;
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
    .option('--port <port>', 'port to listen on', integer(0, 65_535), 9470);
  return withExamples(command, ['leasehold dashboard --port 9470']).action(
    async (options: DashboardOptions) => {
      const startDashboard = await loadDashboard();
      const { env } = cli.io;
      await cli.untilStopped(async (stop) => {
        const server = await startDashboard({
          host: options.host,
          port: options.port,
          redis: cli.redis(),
          prefix: cli.prefix,
          ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
          ...(env.LEASEHOLD_DASHBOARD_TOKEN ? { token: env.LEASEHOLD_DASHBOARD_TOKEN } : {}),
        });
        cli.onClose(() => server.close());
        cli.out.line(`dashboard on ${server.url}`);
        await once(stop, 'abort');
      });
    },
  );
}
