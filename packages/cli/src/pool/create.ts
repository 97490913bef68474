import type { Command } from 'commander';
import { withExamples } from '../options/help.js';
import type { Cli } from '../runner/cli.js';
import { type PoolSettingsOptions, withPoolSettings } from './settingsOptions.js';
import { writePool } from './write.js';

export function poolCreate(parent: Command, cli: Cli): Command {
  const command = withPoolSettings(parent.command('create <pool>').description('create a pool'));
  return withExamples(command, ['leasehold pool create latam --selector least-used']).action(
    async (name: string, options: PoolSettingsOptions) =>
      writePool(cli, name, options, await cli.manager().getPool(name)),
  );
}
