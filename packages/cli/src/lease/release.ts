import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import { existingPoolKeys } from '../pool/existing.js';
import type { Cli } from '../runner/cli.js';

interface ReleaseOptions extends JsonOption {
  proxy?: string;
}

/** Its proxy from the lease deadline index when --proxy is not given (a bounded ZSCAN). */
async function proxyOfLease(cli: Cli, key: string, leaseId: string) {
  let cursor = '0';
  for (let rounds = 0; rounds < 1000; rounds++) {
    const [next, found] = await cli
      .redis()
      .zscan(key, cursor, 'MATCH', `*:${leaseId}`, 'COUNT', 1000);
    const member = found[0];
    if (member !== undefined) return member.slice(0, member.lastIndexOf(':'));
    cursor = next;
    if (cursor === '0') break;
  }
  return undefined;
}

export function leaseRelease(parent: Command, cli: Cli): Command {
  const command = parent
    .command('release <pool> <leaseId>')
    .description('release a live lease without an outcome')
    .option('--proxy <id>', 'its proxy (found from the lease deadlines otherwise)');
  return withJson(command).action(async (pool: string, id: string, options: ReleaseOptions) => {
    const keys = await existingPoolKeys(cli, pool);
    const proxyId = options.proxy ?? (await proxyOfLease(cli, keys.leaseDeadlines, id));
    const result =
      proxyId === undefined
        ? { released: false, reason: 'not_found' as const }
        : await cli.manager().releaseProxy({ id, pool, proxyId });
    if (options.json) return cli.out.json({ pool, leaseId: id, ...result });
    cli.out.line(
      result.released
        ? `lease ${id} released`
        : `lease ${id} was not live (${result.reason ?? 'not_found'}); nothing to release`,
    );
  });
}
