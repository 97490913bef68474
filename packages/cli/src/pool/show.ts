import { PoolNotFoundError, type PoolSettings, redactCredentials } from '@leasehold/client';
import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import type { Cli } from '../runner/cli.js';

interface ShowOptions extends JsonOption {
  showCredentials?: boolean;
}

/** The settings a reader may not have set, shown as `off` instead of left out. */
const OFF_WHEN_UNSET = [
  'minHealthScore',
  'reuseDelaySeconds',
  'scopeReuseDelaySeconds',
  'defaultMaxConcurrency',
] as const;

/** The health-check URL may carry a password (a provider's test endpoint): masked unless asked. */
function masked(settings: PoolSettings): PoolSettings {
  const check = settings.healthCheck;
  return check
    ? { ...settings, healthCheck: { ...check, url: redactCredentials(check.url) } }
    : settings;
}

export function poolShow(parent: Command, cli: Cli): Command {
  return withJson(parent.command('show <pool>').description('the settings of a pool'))
    .option('--show-credentials', "print the health-check URL's password")
    .action(async (name: string, options: ShowOptions) => {
      const found = await cli.manager().getPool(name);
      if (found === null) throw new PoolNotFoundError(name);
      const settings = options.showCredentials ? found : masked(found);
      if (options.json) return cli.out.json(settings);
      const shown: Record<string, unknown> = { ...settings };
      for (const setting of OFF_WHEN_UNSET) shown[setting] ??= 'off';
      cli.out.fields(shown);
    });
}
