import type { PoolSettings } from '@leasehold/client';
import type { Cli } from '../runner/cli.js';
import { type PoolSettingsOptions, poolSettingsInput } from './settingsOptions.js';

/** `pool create` and `pool update`: upsert the settings given, print what the pool is now. */
export async function writePool(
  cli: Cli,
  name: string,
  options: PoolSettingsOptions,
  current: PoolSettings | null,
): Promise<void> {
  const input = poolSettingsInput(options, current);
  const settings = await cli.manager().upsertPool({ name, ...input });
  if (options.json) return cli.out.json(settings);
  cli.out.line(
    `pool ${name} ${settings.created ? 'created' : 'updated'} (selector ${settings.selector}, lease ${settings.leaseSeconds}s, failure threshold ${settings.failureThreshold})`,
  );
}
