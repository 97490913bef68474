import type { Command } from 'commander';
import { withExamples } from '../options/help.js';
import { integer } from '../options/parsers.js';
import { type Cli, CliError } from '../runner/cli.js';

interface DemoCommandOptions {
  seconds?: number;
  scrapers?: number;
}

export function demoCommand(program: Command, cli: Cli): Command {
  const command = program
    .command('demo')
    .description('real requests through local proxies, watched on the dashboard')
    .option('--seconds <n>', 'stop after n seconds', integer(1, 86_400))
    .option('--scrapers <n>', 'scraper processes', integer(1, 32));
  return withExamples(command, ['leasehold demo --seconds 60']).action(
    async (options: DemoCommandOptions) => {
      const { runDemo } = await import('../demo/run.js');
      const summary = await cli.untilStopped((stop) =>
        runDemo({
          ...options,
          redis: cli.endpoint(),
          prefix: cli.prefix,
          stop,
          log: (line) => cli.out.line(line),
        }),
      );
      // The demo's own check: no proxy saw more concurrent requests than its cap.
      if (summary.capViolations > 0)
        throw new CliError(
          'CAP_EXCEEDED',
          `${summary.capViolations} proxies saw more concurrent requests than their cap`,
          'maxConcurrency',
        );
    },
  );
}
