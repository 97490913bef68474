import type { Command } from 'commander';
import { type JsonOption, withJson } from '../options/help.js';
import { integer } from '../options/parsers.js';
import { isoTime } from '../output/output.js';
import { existingPoolKeys } from '../pool/existing.js';
import type { Cli } from '../runner/cli.js';

interface ListOptions extends JsonOption {
  limit: number;
}

/** Pairs of a WITHSCORES reply. */
function pairs(reply: string[]): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 0; i < reply.length; i += 2) out.push([reply[i] as string, Number(reply[i + 1])]);
  return out;
}

/**
 * Live leases, soonest deadline first: the deadline index (`<proxyId>:<leaseId>` by expiry)
 * read up to --limit, then each lease's record (acquiredAt|token|scope|sessionId|consumer).
 */
async function liveLeases(cli: Cli, pool: string, limit: number) {
  const keys = await existingPoolKeys(cli, pool);
  const redis = cli.redis();
  const deadlines = pairs(await redis.zrange(keys.leaseDeadlines, 0, limit - 1, 'WITHSCORES')).map(
    ([member, expiresAt]) => {
      const at = member.lastIndexOf(':');
      return { proxyId: member.slice(0, at), id: member.slice(at + 1), expiresAt };
    },
  );
  const records =
    deadlines.length === 0 ? [] : await redis.hmget(keys.leases, ...deadlines.map((d) => d.id));
  return deadlines.map((d, i) => {
    const [acquiredAt, fencingToken, scope, sessionId, consumer] = (records[i] ?? '').split('|');
    return {
      id: d.id,
      pool,
      proxyId: d.proxyId,
      consumer: consumer || null,
      scope: scope || null,
      sessionId: sessionId || null,
      fencingToken: fencingToken ? Number(fencingToken) : null,
      acquiredAt: acquiredAt ? Number(acquiredAt) : null,
      expiresAt: d.expiresAt,
    };
  });
}

export function leaseList(parent: Command, cli: Cli): Command {
  const command = parent
    .command('list <pool>')
    .description('live leases, soonest deadline first')
    .option('--limit <n>', 'at most n leases', integer(1, 10_000), 100);
  return withJson(command).action(async (pool: string, options: ListOptions) => {
    const leases = await liveLeases(cli, pool, options.limit);
    if (options.json) return cli.out.json(leases);
    cli.out.table(
      leases.map((l) => ({
        ...l,
        acquiredAt: isoTime(l.acquiredAt),
        expiresAt: isoTime(l.expiresAt),
      })),
      ['id', 'proxyId', 'consumer', 'scope', 'sessionId', 'acquiredAt', 'expiresAt'],
    );
  });
}
