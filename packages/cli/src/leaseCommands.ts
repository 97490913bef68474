import { PoolNotFoundError, ValidationError } from '@leasehold/client';
import { type CommandContext, numberFlag } from './commands.js';
import { isoTime, printFields, printJson, printTable } from './output.js';

/** `lease …` and `session …`: live state read from the pool's keys, bounded by --limit. */

const MAX_LIMIT = 10_000;

/** The pool's keys, once the pool is known to exist (getPool validates the name too). */
async function poolKeys(ctx: CommandContext) {
  const pool = ctx.args[0] as string;
  if ((await ctx.manager.getPool(pool)) === null) throw new PoolNotFoundError(pool);
  return { pool, keys: ctx.manager.keys.poolKeys(pool) };
}

function limitFlag(ctx: CommandContext): number {
  const limit = numberFlag(ctx, 'limit') ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new ValidationError([{ field: '--limit', message: `must be 1..${MAX_LIMIT}` }]);
  return limit;
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
export async function listLeases(ctx: CommandContext): Promise<void> {
  const { pool, keys } = await poolKeys(ctx);
  const limit = limitFlag(ctx);
  const deadlines = pairs(
    await ctx.redis.zrange(keys.leaseDeadlines, 0, limit - 1, 'WITHSCORES'),
  ).map(([member, expiresAt]) => {
    const at = member.lastIndexOf(':');
    return { proxyId: member.slice(0, at), id: member.slice(at + 1), expiresAt };
  });
  const records =
    deadlines.length === 0 ? [] : await ctx.redis.hmget(keys.leases, ...deadlines.map((d) => d.id));
  const leases = deadlines.map((d, i) => {
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
  if (ctx.flags.json === true) return printJson(leases);
  printTable(
    leases.map((l) => ({
      ...l,
      acquiredAt: isoTime(l.acquiredAt),
      expiresAt: isoTime(l.expiresAt),
    })),
    ['id', 'proxyId', 'consumer', 'scope', 'sessionId', 'acquiredAt', 'expiresAt'],
  );
}

/** Its proxy from the deadline index when --proxy is not given (a bounded ZSCAN). */
async function proxyOfLease(ctx: CommandContext, key: string, leaseId: string) {
  let cursor = '0';
  for (let rounds = 0; rounds < 1000; rounds++) {
    const [next, found] = await ctx.redis.zscan(
      key,
      cursor,
      'MATCH',
      `*:${leaseId}`,
      'COUNT',
      1000,
    );
    const member = found[0];
    if (member !== undefined) return member.slice(0, member.lastIndexOf(':'));
    cursor = next;
    if (cursor === '0') break;
  }
  return undefined;
}

export async function releaseLease(ctx: CommandContext): Promise<void> {
  const { pool, keys } = await poolKeys(ctx);
  const id = ctx.args[1] as string;
  const proxyId =
    typeof ctx.flags.proxy === 'string'
      ? ctx.flags.proxy
      : await proxyOfLease(ctx, keys.leaseDeadlines, id);
  const result =
    proxyId === undefined
      ? { released: false, reason: 'not_found' as const }
      : await ctx.manager.releaseProxy({ id, pool, proxyId });
  if (ctx.flags.json === true) return printJson({ pool, leaseId: id, ...result });
  process.stdout.write(
    result.released
      ? `lease ${id} released\n`
      : `lease ${id} was not live (${result.reason ?? 'not_found'}); nothing to release\n`,
  );
}

/** Live sessions, oldest first; each one's state (its cookie data only in --json). */
export async function listSessions(ctx: CommandContext): Promise<void> {
  const { pool, keys } = await poolKeys(ctx);
  const ids = await ctx.redis.zrange(keys.sessions, 0, limitFlag(ctx) - 1);
  const sessions = await Promise.all(ids.map((id) => ctx.manager.getSessionState(pool, id)));
  if (ctx.flags.json === true) return printJson(sessions);
  printTable(
    sessions.map((s) => ({
      ...s,
      createdAt: isoTime(s.createdAt),
      lastUsedAt: isoTime(s.lastUsedAt),
    })),
    [
      'id',
      'proxyId',
      'status',
      'usageCount',
      'consecutiveFailures',
      'leased',
      'createdAt',
      'lastUsedAt',
    ],
  );
}

/** `session show` (status undefined) or `session disable`. */
export async function sessionState(ctx: CommandContext, status?: 'disabled'): Promise<void> {
  const { pool } = await poolKeys(ctx);
  const id = ctx.args[1] as string;
  if (status !== undefined) {
    const reason = typeof ctx.flags.reason === 'string' ? ctx.flags.reason : 'cli';
    const changed = await ctx.manager.transitionSessionState(pool, id, status, reason);
    if (ctx.flags.json === true) return printJson({ pool, sessionId: id, status, changed });
    process.stdout.write(
      changed ? `session ${id} is now ${status}\n` : `session ${id} was already ${status}\n`,
    );
    return;
  }
  const state = await ctx.manager.getSessionState(pool, id);
  if (ctx.flags.json === true) return printJson(state);
  const { data, ...rest } = state;
  printFields({ ...rest, data: `${Buffer.byteLength(data)} bytes (--json prints it)` });
}
