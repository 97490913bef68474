import { readFileSync } from 'node:fs';
import {
  PoolNotFoundError,
  type PoolSettings,
  type ProxyManager,
  ValidationError,
} from '@leasehold/client';
import { isLabelName, type ProxyLabels, type ProxyLocation } from '@leasehold/core';
import type { Cluster, Redis } from 'ioredis';
import { printFields, printJson, printTable } from './output.js';
import { parseProxyList, toProxyInputs } from './proxyList.js';

/** One function per command; each gets the parsed flags and a connected manager. */

export interface CommandContext {
  manager: ProxyManager;
  /** The manager's connection, for the reads it has no method for (leases, sessions). */
  redis: Redis | Cluster;
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
function poolSettingsFlags(ctx: CommandContext, current: PoolSettings | null) {
  const leaseSeconds = numberFlag(ctx, 'lease-seconds');
  const failureThreshold = numberFlag(ctx, 'failure-threshold');
  return {
    ...(typeof ctx.flags.selector === 'string'
      ? { selector: ctx.flags.selector as 'round-robin' }
      : {}),
    ...(leaseSeconds === undefined ? {} : { leaseSeconds }),
    ...(failureThreshold === undefined ? {} : { failureThreshold }),
    ...delayAndCapFlags(ctx),
    ...healthCheckFlags(ctx, current),
  };
}

/**
 * `--health-check-url <url|off>`, `--health-check-interval <s>`, `--health-check-timeout <s>`.
 * An interval or timeout alone changes the pool's current check; without one it needs a URL.
 */
function healthCheckFlags(ctx: CommandContext, current: PoolSettings | null) {
  const url = ctx.flags['health-check-url'];
  const intervalSeconds = numberFlag(ctx, 'health-check-interval');
  const timeoutSeconds = numberFlag(ctx, 'health-check-timeout');
  if (url === 'off') return { healthCheck: null };
  if (url === undefined && intervalSeconds === undefined && timeoutSeconds === undefined) return {};
  const base = typeof url === 'string' ? { url } : current?.healthCheck;
  if (!base)
    throw new ValidationError([
      { field: '--health-check-url', message: 'the pool has no health check: give its URL' },
    ]);
  return {
    healthCheck: {
      ...base,
      ...(intervalSeconds === undefined ? {} : { intervalSeconds }),
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    },
  };
}

/** The minimum health score, the reuse delays and the default cap, by flag (0 turns each off). */
const DELAY_AND_CAP_FLAGS = {
  'min-health-score': 'minHealthScore',
  'reuse-delay-seconds': 'reuseDelaySeconds',
  'scope-reuse-delay-seconds': 'scopeReuseDelaySeconds',
  'default-max-concurrency': 'defaultMaxConcurrency',
} as const;

function delayAndCapFlags(ctx: CommandContext): Record<string, number> {
  const given: Record<string, number> = {};
  for (const [flag, setting] of Object.entries(DELAY_AND_CAP_FLAGS)) {
    const value = numberFlag(ctx, flag);
    if (value !== undefined) given[setting] = value;
  }
  return given;
}

/** `pool show`: the reuse delays and the default cap read `off` when not set. */
function withDelaysAndCap(settings: object): object {
  const shown: Record<string, unknown> = { ...settings };
  for (const setting of Object.values(DELAY_AND_CAP_FLAGS)) shown[setting] ??= 'off';
  return shown;
}

async function writePool(
  ctx: CommandContext,
  name: string,
  current: PoolSettings | null,
): Promise<void> {
  const settings = await ctx.manager.upsertPool({ name, ...poolSettingsFlags(ctx, current) });
  if (json(ctx)) return printJson(settings);
  process.stdout.write(
    `pool ${name} ${settings.created ? 'created' : 'updated'} (selector ${settings.selector}, lease ${settings.leaseSeconds}s, failure threshold ${settings.failureThreshold})\n`,
  );
}

export async function createPool(ctx: CommandContext): Promise<void> {
  const name = need(ctx, 0, 'pool');
  await writePool(ctx, name, await ctx.manager.getPool(name));
}

/** Changes only the settings given; the pool must exist. */
export async function updatePool(ctx: CommandContext): Promise<void> {
  const name = need(ctx, 0, 'pool');
  const current = await ctx.manager.getPool(name);
  if (current === null) throw new PoolNotFoundError(name);
  await writePool(ctx, name, current);
}

export async function showPool(ctx: CommandContext): Promise<void> {
  const name = need(ctx, 0, 'pool');
  const settings = await ctx.manager.getPool(name);
  if (settings === null) throw new PoolNotFoundError(name);
  if (json(ctx)) return printJson(settings);
  printFields(withDelaysAndCap(settings));
}

export async function poolStats(ctx: CommandContext): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const stats = await ctx.manager.getPoolStats(pool);
  if (json(ctx)) return printJson(stats);
  printFields(stats);
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
      // A gateway's template is a credential like the rest: say only where its session goes.
      url: p.gateway ? `${p.url} (gateway: {session} in ${p.gateway.in})` : p.url,
      status: p.status,
      circuit: health.get(p.id)?.circuit,
      leases: `${p.activeLeases}/${p.maxConcurrency ?? '∞'}`,
      score: health.get(p.id)?.score.toFixed(2),
      labels: labelText(p.labels),
      tags: p.tags.join(','),
    })),
    ['id', 'url', 'status', 'circuit', 'leases', 'score', 'labels', 'tags'],
  );
}

/**
 * The proxy list to import: URLs given on the command line (`proxy add`), else --file, else
 * PROXY_LIST, else PROXY_SERVER + PROXY_USERNAME + PROXY_PASSWORD (one gateway).
 */
function proxyLines(ctx: CommandContext, urls?: string[]): ReturnType<typeof parseProxyList> {
  if (urls !== undefined) return parseProxyList(urls.join('\n'));
  const file = ctx.flags.file;
  if (typeof file === 'string') return parseProxyList(readFileSync(file, 'utf8'));
  const env = process.env;
  if (env.PROXY_LIST) return parseProxyList(env.PROXY_LIST, /[\r\n,]+/);
  if (env.PROXY_SERVER) {
    const server = env.PROXY_SERVER.includes('://')
      ? env.PROXY_SERVER
      : `http://${env.PROXY_SERVER}`;
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new ValidationError([{ field: 'PROXY_SERVER', message: 'is not a proxy address' }]);
    }
    if (env.PROXY_USERNAME) url.username = encodeURIComponent(env.PROXY_USERNAME);
    if (env.PROXY_PASSWORD) url.password = encodeURIComponent(env.PROXY_PASSWORD);
    return parseProxyList(url.href.replace(/\/$/, ''));
  }
  throw new ValidationError([
    {
      field: '--file',
      message:
        'give --file <path>, or set PROXY_LIST, or PROXY_SERVER (+ PROXY_USERNAME, PROXY_PASSWORD)',
    },
  ]);
}

function labelsFlag(ctx: CommandContext): ProxyLabels {
  const labels: ProxyLabels = {};
  for (const pair of (ctx.flags.label as string[] | undefined) ?? []) {
    const [key, ...rest] = pair.split('=');
    if (!isLabelName(key as string) || rest.length === 0) {
      throw new ValidationError([
        {
          field: '--label',
          message: 'expects name=value with a name like provider or tier ([a-z][a-z0-9_]*)',
        },
      ]);
    }
    labels[key as string] = rest.join('=');
  }
  return labels;
}

/** `--location <lat,lon>`: where every imported proxy exits (ranges are checked by the client). */
function locationFlag(ctx: CommandContext): { location?: ProxyLocation } {
  const flag = ctx.flags.location;
  if (typeof flag !== 'string') return {};
  const parts = flag.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n)))
    throw new ValidationError([{ field: '--location', message: 'expects latitude,longitude' }]);
  return { location: { latitude: parts[0] as number, longitude: parts[1] as number } };
}

const labelText = (labels: ProxyLabels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

const IMPORT_BATCH = 5000;

/**
 * `proxy import` / `proxy add`: every line is validated before anything is written; batches
 * of 5,000; a progress line on a terminal; a summary of new and updated proxies at the end.
 */
export async function importProxies(ctx: CommandContext, urls?: string[]): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const lines = proxyLines(ctx, urls);
  const maxConcurrency = numberFlag(ctx, 'max-concurrency');
  const inputs = toProxyInputs(lines, {
    labels: labelsFlag(ctx),
    ...locationFlag(ctx),
    tags: (ctx.flags.tag as string[] | undefined) ?? [],
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
  });
  const before = (await ctx.manager.getPoolStats(pool)).totalProxies;
  const progress = process.stderr.isTTY && inputs.length > IMPORT_BATCH;
  for (let i = 0; i < inputs.length; i += IMPORT_BATCH) {
    await ctx.manager.addProxies(pool, inputs.slice(i, i + IMPORT_BATCH));
    const done = Math.min(i + IMPORT_BATCH, inputs.length);
    if (progress)
      process.stderr.write(
        `\rimporting ${done}/${inputs.length} (${Math.round((done / inputs.length) * 100)}%)`,
      );
  }
  if (progress) process.stderr.write('\n');
  const added = (await ctx.manager.getPoolStats(pool)).totalProxies - before;
  // Re-importing a proxy (the same URL) updates it in place: it is not added twice.
  const updated = inputs.length - added;
  if (json(ctx)) return printJson({ pool, imported: inputs.length, added, updated });
  process.stdout.write(`imported ${inputs.length} proxies into ${pool} (${updated} updated)\n`);
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
  const { labels, tags, location, ...rest } = state;
  printFields({
    ...rest,
    ...health,
    labels: labelText(labels),
    tags: tags.join(','),
    location: location ? `${location.latitude},${location.longitude}` : undefined,
  });
}

export async function removeProxy(ctx: CommandContext): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const id = need(ctx, 1, 'proxyId');
  await ctx.manager.removeProxy(pool, id);
  if (json(ctx)) return printJson({ pool, proxyId: id, removed: true });
  process.stdout.write(`proxy ${id} removed from ${pool}\n`);
}

export async function deletePool(ctx: CommandContext): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const { proxies } = await ctx.manager.deletePool(pool);
  if (json(ctx)) return printJson({ deleted: pool, proxies });
  process.stdout.write(`deleted pool ${pool} (${proxies} proxies)\n`);
}

export async function resetProxy(ctx: CommandContext): Promise<void> {
  const pool = need(ctx, 0, 'pool');
  const id = need(ctx, 1, 'proxyId');
  const reason = typeof ctx.flags.reason === 'string' ? ctx.flags.reason : 'manual_reset';
  await ctx.manager.resetProxy(pool, id, reason);
  if (json(ctx)) return printJson({ pool, proxyId: id, reset: true });
  process.stdout.write(`proxy ${id} reset (health counters cleared, circuit closed)\n`);
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
