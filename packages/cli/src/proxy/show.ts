import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import type { Cli } from '../runner/cli.js';
import { labelText } from './labels.js';

/** `proxy show <pool> <id>` (and `proxy health`, the same). */
export function proxyShow(parent: Command, cli: Cli, name = 'show'): Command {
  const description = name === 'show' ? 'state and health of one proxy' : 'same as proxy show';
  return withJson(parent.command(`${name} <pool> <id>`).description(description)).action(
    async (pool: string, id: string, options: JsonOption) => {
      const manager = cli.manager();
      const [state, health] = await Promise.all([
        manager.getProxyState(pool, id),
        manager.getProxyHealth(pool, id),
      ]);
      if (options.json) return cli.out.json({ state, health });
      const { labels, tags, location, ...rest } = state;
      cli.out.fields({
        ...rest,
        ...health,
        labels: labelText(labels),
        tags: tags.join(','),
        location: location ? `${location.latitude},${location.longitude}` : undefined,
      });
    },
  );
}
