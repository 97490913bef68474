import { PoolNotFoundError } from '@leasehold/client';
import type { Command } from 'commander';
import { withExamples } from '../options/help.js';
import type { Cli } from '../runner/cli.js';
import { type PoolSettingsOptions, withPoolSettings } from './settingsOptions.js';
import { writePool } from './write.js';

/** Changes only the settings given; the pool must exist. */
export function poolUpdate(parent: Command, cli: Cli): Command {
  const command = withPoolSettings(
    parent
      .command('update <pool>')
      .description('change only the settings given; the rest are kept'),
  );
  return withExamples(command, ['leasehold pool update latam --failure-threshold 5']).action(
    async (name: string, options: PoolSettingsOptions) => {
      const current = await cli.manager().getPool(name);
      if (current === null) throw new PoolNotFoundError(name);
      await writePool(cli, name, options, current);
    },
  );
}
