import { type ErrorLogEntry, ValidationError } from '@leasehold/client';
import { ErrorLogHistory, type ErrorLogHistoryQuery } from '@leasehold/worker';
import { type CommandContext, numberFlag } from './commands.js';
import { isoTime, printJson, printTable } from './output.js';

/**
 * `leasehold errors`: the recent window from the pool's Redis stream (getErrorLog), or with
 * `--history` the PostgreSQL history the worker persisted (DATABASE_URL, DATABASE_SCHEMA).
 * Both print the same entries the same way; an entry has the same id in both.
 */

/** Flags only the PostgreSQL history can answer. */
const HISTORY_ONLY_FLAGS = ['type', 'category', 'since', 'until', 'before'] as const;

const RELATIVE = /^(\d+(?:\.\d+)?)(s|m|h|d)$/;
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`/`--until`: an ISO date, epoch ms, or a duration ago (`90s`, `15m`, `2h`, `7d`). */
export function parseInstant(flag: string, value: string, now = Date.now()): number {
  const relative = RELATIVE.exec(value);
  if (relative) {
    return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  }
  // Date.parse alone is lenient ('-5' is a date in 2001): only ISO dates go to it.
  const ms = /^\d+$/.test(value)
    ? Number(value)
    : ISO_DATE.test(value)
      ? Date.parse(value)
      : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new ValidationError([
      {
        field: `--${flag}`,
        message: 'must be an ISO date, epoch ms, or a duration ago like 15m, 2h, 7d',
      },
    ]);
  return ms;
}

const text = (ctx: CommandContext, name: string) =>
  typeof ctx.flags[name] === 'string' ? (ctx.flags[name] as string) : undefined;

const limitFlag = (ctx: CommandContext) => numberFlag(ctx, 'limit') ?? 50;

export async function errorEntries(ctx: CommandContext): Promise<void> {
  const pool = ctx.args[0];
  if (pool === undefined) throw new ValidationError([{ field: 'pool', message: 'is required' }]);
  const proxyId = text(ctx, 'proxy');
  const sessionId = text(ctx, 'session');
  let entries: ErrorLogEntry[];
  if (ctx.flags.history === true) {
    const query: ErrorLogHistoryQuery = { pool, limit: limitFlag(ctx) };
    if (proxyId !== undefined) query.proxyId = proxyId;
    if (sessionId !== undefined) query.sessionId = sessionId;
    const type = text(ctx, 'type');
    const category = text(ctx, 'category');
    const since = text(ctx, 'since');
    const until = text(ctx, 'until');
    const before = text(ctx, 'before');
    // zod checks the values (enums, bounds) and names the field.
    if (type !== undefined) query.type = type as ErrorLogHistoryQuery['type'];
    if (category !== undefined) query.category = category as ErrorLogHistoryQuery['category'];
    if (since !== undefined) query.since = parseInstant('since', since);
    if (until !== undefined) query.until = parseInstant('until', until);
    if (before !== undefined) query.before = before;
    const history = ErrorLogHistory.fromEnv();
    try {
      entries = await history.query(query);
    } finally {
      await history.close();
    }
  } else {
    const historyOnly = HISTORY_ONLY_FLAGS.find((name) => ctx.flags[name] !== undefined);
    if (historyOnly !== undefined)
      throw new ValidationError([
        { field: `--${historyOnly}`, message: 'filters the PostgreSQL history: add --history' },
      ]);
    entries = await ctx.manager.getErrorLog(pool, {
      ...(proxyId === undefined ? {} : { proxyId }),
      ...(sessionId === undefined ? {} : { sessionId }),
      limit: limitFlag(ctx),
    });
  }
  if (ctx.flags.follow === true) {
    if (ctx.flags.history === true)
      throw new ValidationError([{ field: '--follow', message: 'reads Redis; drop --history' }]);
    return follow(ctx, pool, entries);
  }
  if (ctx.flags.json === true) return printJson(entries);
  printTable(entries.map(row), COLUMNS);
}

const COLUMNS = ['id', 'at', 'type', 'proxy', 'session', 'what', 'status', 'detail'];

const row = (e: ErrorLogEntry) => ({
  id: e.id,
  at: isoTime(e.at),
  type: e.type,
  proxy: e.proxyId,
  session: e.sessionId,
  what: e.type === 'transition' ? `${e.subject} ${e.from} → ${e.to}` : (e.category ?? ''),
  status: e.statusCode,
  detail: e.reason ?? e.message ?? e.consumer,
});

/** Stream ids (`<ms>-<seq>`) in order. */
function after(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am > bm || (am === bm && as > bs);
}

const FOLLOW_POLL_MS = 1000;

/**
 * `errors --follow`: the recent entries, then new ones as they come (one line each, JSON lines
 * with --json), polling the pool's capped stream once a second (each poll bounded by
 * --limit) until Ctrl-C, SIGTERM or --for seconds.
 */
async function follow(ctx: CommandContext, pool: string, recent: ErrorLogEntry[]) {
  const proxyId = text(ctx, 'proxy');
  const sessionId = text(ctx, 'session');
  const forSeconds = numberFlag(ctx, 'for');
  const print = (e: ErrorLogEntry) =>
    process.stdout.write(
      ctx.flags.json === true
        ? `${JSON.stringify(e)}\n`
        : `${Object.values(row(e))
            .map((v) => v ?? '-')
            .join('  ')}\n`,
    );
  let last = recent[0]?.id ?? '0-0';
  for (const e of [...recent].reverse()) print(e);
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const deadline =
    forSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + forSeconds * 1000;
  try {
    while (!stopped && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(FOLLOW_POLL_MS, deadline - Date.now())));
      if (stopped) break;
      const entries = await ctx.manager.getErrorLog(pool, {
        ...(proxyId === undefined ? {} : { proxyId }),
        ...(sessionId === undefined ? {} : { sessionId }),
        limit: limitFlag(ctx),
      });
      const fresh = entries.filter((e) => after(e.id, last)).reverse();
      for (const e of fresh) print(e);
      last = fresh.at(-1)?.id ?? last;
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
