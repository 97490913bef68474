import { createRedisClient, LeaseholdError, redisEndpointFromEnv } from '@leasehold/client';

/**
 * `leasehold dashboard` and `leasehold demo` run code from other modules, loaded only when
 * asked for: the CLI's other commands never pay for them, and a missing one is one clear line.
 */

type Loaded = Record<string, unknown>;

async function load(specifier: string, what: string, install: string): Promise<Loaded> {
  try {
    return (await import(specifier)) as Loaded;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new LeaseholdError('NOT_INSTALLED', `${what} is not installed`, {
        field: what,
        hint: install,
      });
    throw error;
  }
}

export async function runOptionalModule(
  name: 'dashboard' | 'demo',
  flags: Record<string, unknown>,
): Promise<void> {
  if (name === 'demo') {
    const { runDemo } = await import('./demo/index.js');
    const summary = await runDemo({
      ...(flags as { seconds?: number; scrapers?: number }),
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
      ...(process.env.LEASEHOLD_PREFIX ? { prefix: process.env.LEASEHOLD_PREFIX } : {}),
      log: (line: string) => process.stdout.write(`${line}\n`),
    });
    // The demo's own check: no proxy saw more concurrent requests than its cap.
    if (summary.capViolations > 0) process.exitCode = 1;
    return;
  }
  // A specifier in a variable: installs without the package still run every other command.
  const dashboardPackage = '@leasehold/dashboard';
  const dashboard = await load(
    dashboardPackage,
    '@leasehold/dashboard',
    'npm install @leasehold/dashboard next to @leasehold/cli',
  );
  const startDashboard = dashboard.startDashboard as (
    o: Record<string, unknown>,
  ) => Promise<{ url: string; close(): Promise<void> }>;
  const redis = createRedisClient(redisEndpointFromEnv(process.env), { maxRetriesPerRequest: 3 });
  const server = await startDashboard({
    ...flags,
    redis,
    prefix: process.env.LEASEHOLD_PREFIX ?? 'lh',
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    ...(process.env.LEASEHOLD_DASHBOARD_TOKEN
      ? { token: process.env.LEASEHOLD_DASHBOARD_TOKEN }
      : {}),
  });
  process.stdout.write(`dashboard on ${server.url}\n`);
  // Runs until Ctrl-C or SIGTERM, then closes the server and the connection.
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  redis.disconnect();
}
