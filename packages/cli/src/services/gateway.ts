import { once } from 'node:events';
import { startGateway, validateGatewayOptions } from '@leasehold/gateway';
import type { Command } from 'commander';
import { withExamples } from '../options/help.js';
import { integer } from '../options/parsers.js';
import type { Cli } from '../runner/cli.js';

interface GatewayCommandOptions {
  host: string;
  port: number;
  pool: string;
  waitMs: number;
  graceMs: number;
}

/**
 * Serves until Ctrl-C or SIGTERM, then closes as startGateway's close() does (open requests
 * and tunnels get --grace-ms, every lease is released) and exits 0. A refusal to start (no
 * token off loopback) is one line and exit 1, before any connection.
 */
export function gatewayCommand(program: Command, cli: Cli): Command {
  const command = program
    .command('gateway')
    .description(
      'serve a proxy endpoint that leases from a pool (LEASEHOLD_GATEWAY_TOKEN: the proxy password)',
    )
    .requiredOption('--pool <name>', 'the pool a request without pool= in its username leases from')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on', integer(0, 65_535), 8880)
    .option(
      '--wait-ms <ms>',
      'how long a request waits for a free proxy',
      integer(0, 3_600_000),
      5000,
    )
    .option(
      '--grace-ms <ms>',
      'on SIGTERM, how long open requests may finish',
      integer(0, 600_000),
      10_000,
    );
  return withExamples(command, [
    'leasehold gateway --pool latam',
    'curl -x "http://pool=latam,country=AR:$LEASEHOLD_GATEWAY_TOKEN@127.0.0.1:8880" https://example.com/',
  ]).action(async (options: GatewayCommandOptions) => {
    const token = cli.io.env.LEASEHOLD_GATEWAY_TOKEN;
    const settings = {
      host: options.host,
      port: options.port,
      pool: options.pool,
      prefix: cli.prefix,
      waitMs: options.waitMs,
      graceMs: options.graceMs,
      ...(token ? { token } : {}),
    };
    validateGatewayOptions(settings);
    await cli.untilStopped(async (stop) => {
      const gateway = await startGateway({ ...settings, redis: cli.redis() });
      cli.onClose(() => gateway.close());
      cli.out.line(`gateway on ${gateway.url}`);
      await once(stop, 'abort');
    });
  });
}
