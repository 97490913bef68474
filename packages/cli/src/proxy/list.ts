import type { Command } from 'commander';
import { type JsonOption, withExamples, withJson } from '../options/help.js';
import { integer } from '../options/parsers.js';
import type { Cli } from '../runner/cli.js';
import { labelText } from './labels.js';

interface ListOptions extends JsonOption {
  limit: number;
  offset: number;
  showCredentials?: boolean;
}

const COLUMNS = ['id', 'url', 'status', 'circuit', 'leases', 'score', 'labels', 'tags'];

/** `proxy list <pool>` (and its short form `proxies`). */
export function proxyList(parent: Command, cli: Cli, name = 'list'): Command {
  const command = withJson(
    parent
      .command(`${name} <pool>`)
      .description('proxies with state, leases and health')
      .option('--limit <n>', 'at most n proxies', integer(1, 10_000), 1000)
      .option('--offset <n>', 'skip the first n', integer(0, 1_000_000_000), 0)
      .option('--show-credentials', 'print proxy passwords'),
  );
  return withExamples(command, ['leasehold proxy list latam --limit 50']).action(
    async (pool: string, options: ListOptions) => {
      const manager = cli.manager();
      const proxies = await manager.listProxies(pool, {
        offset: options.offset,
        limit: options.limit,
        includeCredentials: options.showCredentials === true,
      });
      if (options.json) return cli.out.json(proxies);
      const health = new Map((await manager.getAllProxyHealth(pool)).map((h) => [h.proxyId, h]));
      const rows = proxies.map((p) => ({
        id: p.id,
        // A gateway's template is a credential like the rest: say only where its session goes.
        url: p.gateway ? `${p.url} (gateway: {session} in ${p.gateway.in})` : p.url,
        status: p.status,
        circuit: health.get(p.id)?.circuit,
        leases: `${p.activeLeases}/${p.maxConcurrency ?? '∞'}`,
        score: health.get(p.id)?.score.toFixed(2),
        labels: labelText(p.labels),
        tags: p.tags.join(','),
      }));
      cli.out.table(rows, COLUMNS);
    },
  );
}
