import { readFileSync } from 'node:fs';
import { PoolNotFoundError, type ProxyManager, ValidationError } from '@leasehold/client';
import { LABEL_NAMES, type LabelName } from '@leasehold/core';
import { printJson, printTable } from './output.js';
import { parseProxyList, toProxyInputs } from './proxyList.js';

/** One function per command; each gets the parsed flags and a connected manager. */

export interface CommandContext {
  manager: ProxyManager;
  args: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
}

const json = (ctx: CommandContext) => ctx.flags.json === true;

function need(ctx: CommandContext, index: number, name: string): string {
  const value = ctx.args[index];
  if (value === undefined) throw new ValidationError([{ field: name, message: 'is required' }]);
  return value;
}

export function numberFlag(ctx: CommandContext, name: string): number | undefined {
  const raw = ctx.flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n))
    throw new ValidationError([{ field: `--${name}`, message: 'must be a number' }]);
  return n;
}

export async function listPools(ctx: CommandContext): Promise<void> {
  const pools = await ctx.manager.listPools();
  const rows = await Promise.all(
    pools.map(async (name) => ({ pool: name, ...(await ctx.manager.getPoolStats(name)) })),
  );
  if (json(ctx)) return printJson(rows);
  printTable(rows, [
    'pool',
    'totalProxies',
    'activeProxies',
    'availableProxies',
    'leasedProxies',
    'totalLeases',
    'openCircuits',
    'liveSessions',
  ]);
}

/** The pool settings flags `pool create` and `pool update` share; only those given. */
function poolSettingsFlags(ctx: CommandContext) {
  const leaseSeconds = numberFlag(ctx, 'lease-seconds');
  const failureThreshold = numberFlag(ctx, 'failure-threshold');
  return {
    ...(typeof ctx.flags.selector === 'string'
      ? { selector: ctx.flags.selector as 'round-robin' }
      : {}),
    ...(leaseSeconds === undefined ? {} : { leaseSeconds }),
    ...(failureThreshold === undefined ? {} : { failureThreshold }),
  };
}

async function writePool(ctx: CommandContext, name: string): Promise<void> {
  const settings = await ctx.manager.upsertPool({ name, ...poolSettingsFlags(ctx) });
  if (json(ctx)) return printJson(settings);
  process.stdout.write(
    `pool ${name} ${settings.created ? 'created' : 'updated'} (selector ${settings.selector}, lease ${settings.leaseSeconds}s, failure threshold ${settings.failureThreshold})\n`,
  );
}

export async function createPool(ctx: CommandContext): Promise<void> {
  await writePool(ctx, need(ctx, 0, 'pool'));
}

/** Changes only the settings given; the pool must exist. */
export async function updatePool(ctx: CommandContext): Promise<void> {
  const name = need(ctx, 0, 'pool');
  if ((await ctx.manager.getPool(name)) === null) throw new PoolNotFoundError(name);
  await writePool(ctx, name);
}

export async function poolStats(ctx: CommandContext): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const stats = await ctx.manager.getPoolStats(pool);
  if (json(ctx)) return printJson(stats);
  for (const [k, v] of Object.entries(stats)) process.stdout.write(`${k.padEnd(18)} ${v}\n`);
}

export async function listProxies(ctx: CommandContext): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const includeCredentials = ctx.flags['show-credentials'] === true;
  const proxies = await ctx.manager.listProxies(pool, {
    offset: numberFlag(ctx, 'offset') ?? 0,
    limit: numberFlag(ctx, 'limit') ?? 1000,
    includeCredentials,
  });
  if (json(ctx)) return printJson(proxies);
  const health = new Map((await ctx.manager.getAllProxyHealth(pool)).map((h) => [h.proxyId, h]));
  printTable(
    proxies.map((p) => ({
      id: p.id,
      url: p.url,
      status: p.status,
      circuit: health.get(p.id)?.circuit,
      leases: `${p.activeLeases}/${p.maxConcurrency ?? '∞'}`,
      score: health.get(p.id)?.score.toFixed(2),
      labels: Object.entries(p.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      tags: p.tags.join(','),
    })),
    ['id', 'url', 'status', 'circuit', 'leases', 'score', 'labels', 'tags'],
  );
}

/** Import from --file or PROXY_LIST; every line is validated before anything is written. */
export async function importProxies(ctx: CommandContext): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const file = ctx.flags.file;
  let lines: ReturnType<typeof parseProxyList>;
  if (typeof file === 'string') lines = parseProxyList(readFileSync(file, 'utf8'));
  else if (process.env.PROXY_LIST) lines = parseProxyList(process.env.PROXY_LIST, /[\r\n,]+/);
  else
    throw new ValidationError([
      { field: '--file', message: 'give --file <path> or set PROXY_LIST' },
    ]);

  const labels: Partial<Record<LabelName, string>> = {};
  for (const pair of (ctx.flags.label as string[] | undefined) ?? []) {
    const [key, ...rest] = pair.split('=');
    if (!(LABEL_NAMES as readonly string[]).includes(key as string) || rest.length === 0) {
      throw new ValidationError([
        {
          field: '--label',
          message: `expects name=value with name one of ${LABEL_NAMES.join(', ')}`,
        },
      ]);
    }
    labels[key as LabelName] = rest.join('=');
  }
  const maxConcurrency = numberFlag(ctx, 'max-concurrency');
  const inputs = toProxyInputs(lines, {
    labels,
    tags: (ctx.flags.tag as string[] | undefined) ?? [],
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
  });
  const batch = 5000;
  let done = 0;
  for (let i = 0; i < inputs.length; i += batch) {
    await ctx.manager.addProxies(pool, inputs.slice(i, i + batch));
    done += Math.min(batch, inputs.length - i);
    if (inputs.length > batch) process.stderr.write(`imported ${done}/${inputs.length}\n`);
  }
  if (json(ctx)) return printJson({ pool, imported: inputs.length });
  process.stdout.write(
    `imported ${inputs.length} proxies into ${pool} (re-imports update in place)\n`,
  );
}

export async function transitionProxy(
  ctx: CommandContext,
  status: 'active' | 'disabled',
): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const id = need(ctx, 1, 'proxyId');
  const reason = typeof ctx.flags.reason === 'string' ? ctx.flags.reason : 'cli';
  const changed = await ctx.manager.transitionProxyState(pool, id, status, reason);
  if (json(ctx)) return printJson({ pool, proxyId: id, status, changed });
  process.stdout.write(
    changed ? `proxy ${id} is now ${status}\n` : `proxy ${id} was already ${status}\n`,
  );
}

export async function proxyHealth(ctx: CommandContext): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const id = need(ctx, 1, 'proxyId');
  const [state, health] = await Promise.all([
    ctx.manager.getProxyState(pool, id),
    ctx.manager.getProxyHealth(pool, id),
  ]);
  if (json(ctx)) return printJson({ state, health });
  for (const [k, v] of Object.entries({ ...state, ...health })) {
    process.stdout.write(
      `${k.padEnd(20)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}\n`,
    );
  }
}

/** `functions`: the Leasehold script libraries on the server; `functions prune`: drop old ones. */
export async function scriptLibraries(ctx: CommandContext): Promise<void> {
  if (ctx.args[0] === 'prune') {
    const deleted = await ctx.manager.deleteOtherScriptLibraries();
    if (json(ctx)) return printJson({ deleted });
    process.stdout.write(
      deleted.length === 0
        ? 'no libraries of other Leasehold versions\n'
        : `deleted ${deleted.join(', ')}\n`,
    );
    return;
  }
  if (ctx.args[0] !== undefined)
    throw new ValidationError([
      { field: 'functions', message: `unknown subcommand ${ctx.args[0]}` },
    ]);
  const libraries = await ctx.manager.scriptLibraries();
  if (json(ctx)) return printJson(libraries);
  printTable(
    libraries.map((l) => ({
      library: l.name,
      version: l.current ? 'this one' : 'other',
      masters: l.nodes,
    })),
    ['library', 'version', 'masters'],
  );
}
