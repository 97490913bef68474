import {
  LABEL_NAMES,
  type ListProxiesOptions,
  ListProxiesOptionsSchema,
  type ProxyInput,
  ProxyInputSchema,
  parseGatewayTemplate,
  parseInput,
  parseProxyUrl,
  poolNameSchema,
  proxyIdFromUrl,
  ValidationError,
} from '@leasehold/core';
import { luaScripts } from '@leasehold/core/internal';
import { type ManagerContext, SWEEP_BATCH_SIZE } from '../managerContext.js';
import { poolAndProxy } from '../poolInputs.js';
import { hashFromFlat, proxyRecordFromHash } from '../replies.js';
import type { ProxyRecord } from '../types.js';

const COMMON_LABELS = new Set<string>(LABEL_NAMES);

/** Proxies per script call when adding: keeps each atomic step short on a busy Redis. */
const ADD_BATCH_SIZE = 500;

/**
 * Add proxies, or update labels/tags/maxConcurrency of ones already there (same URL = same
 * id). Every input is validated first: one bad proxy and none is added.
 */
export async function addProxies(
  ctx: ManagerContext,
  pool: string,
  inputs: readonly (ProxyInput | string)[],
): Promise<ProxyRecord[]> {
  const poolName = parseInput(poolNameSchema, pool, 'pool');
  if (!Array.isArray(inputs))
    throw new ValidationError([{ field: 'proxies', message: 'must be an array' }]);
  const parsed = inputs.map((input, i) => {
    const field = `proxies[${i}]`;
    const proxy = parseInput(
      ProxyInputSchema,
      typeof input === 'string' ? { url: input } : input,
      field,
    );
    const url = parseProxyUrl(proxy.url, `${field}.url`);
    parseGatewayTemplate(url, `${field}.url`);
    const labels = Object.entries(proxy.labels);
    const moreLabels = labels.filter(([name]) => !COMMON_LABELS.has(name));
    return {
      id: proxyIdFromUrl(url.normalized),
      url: url.normalized,
      maxConcurrency: proxy.maxConcurrency ?? 0,
      labels,
      tags: [...new Set(proxy.tags)],
      moreLabels: moreLabels.length === 0 ? '' : JSON.stringify(Object.fromEntries(moreLabels)),
      // Decimal strings: Lua would print a number with 14 digits only.
      ...(proxy.location
        ? { location: [String(proxy.location.latitude), String(proxy.location.longitude)] }
        : {}),
    };
  });

  const records: ProxyRecord[] = [];
  for (let start = 0; start < parsed.length; start += ADD_BATCH_SIZE) {
    const batch = parsed.slice(start, start + ADD_BATCH_SIZE);
    const reply = await ctx.runPoolScript(luaScripts.addProxies, poolName, [
      ctx.prefix(poolName),
      JSON.stringify(batch),
    ]);
    for (const state of reply[1] as unknown[][])
      records.push(proxyRecordFromHash(poolName, hashFromFlat(state), false));
  }
  return records;
}

/** Remove a proxy. Throws ProxyBusyError while it has live leases. */
export async function removeProxy(ctx: ManagerContext, pool: string, proxyId: string) {
  const [poolName, id] = poolAndProxy(pool, proxyId);
  await ctx.runPoolScript(
    luaScripts.removeProxy,
    poolName,
    [ctx.prefix(poolName), id, SWEEP_BATCH_SIZE],
    (reply) => ({ proxyId: id, activeLeases: Number(reply[1] ?? 0) }),
  );
}

/** Proxies in insertion order. URLs are redacted unless includeCredentials is set. */
export async function listProxies(
  ctx: ManagerContext,
  pool: string,
  options: ListProxiesOptions = {},
): Promise<ProxyRecord[]> {
  const poolName = parseInput(poolNameSchema, pool, 'pool');
  const opts = parseInput(ListProxiesOptionsSchema, options, 'options');
  const ids = (await proxyIdsAfter(ctx, poolName, -1, opts.offset + opts.limit))
    .slice(opts.offset)
    .map(([id]) => id);
  if (ids.length === 0) return [];
  const pipeline = ctx.redis.pipeline();
  for (const id of ids) pipeline.hgetall(ctx.keys.proxy(poolName, id));
  const results = (await pipeline.exec()) ?? [];
  return results
    .map(([error, hash]) => {
      if (error) throw error;
      return hash as Record<string, string>;
    })
    .filter((hash) => hash.id !== undefined)
    .map((hash) => proxyRecordFromHash(poolName, hash, opts.includeCredentials));
}

/**
 * The next `count` proxy ids (with their insertion order) after order `after`. A proxy is in
 * exactly one of available:byOrder and unavailable, so the pool is their merge.
 */
export async function proxyIdsAfter(
  ctx: ManagerContext,
  pool: string,
  after: number,
  count: number,
): Promise<[string, number][]> {
  const keys = ctx.poolKeys(pool);
  const pipeline = ctx.redis.pipeline();
  for (const key of [keys.availableByOrder, keys.unavailable]) {
    pipeline.zrangebyscore(key, `(${after}`, '+inf', 'WITHSCORES', 'LIMIT', 0, count);
  }
  const merged: [string, number][] = [];
  for (const [error, flat] of (await pipeline.exec()) ?? []) {
    if (error) throw error;
    const items = flat as string[];
    for (let i = 0; i + 1 < items.length; i += 2)
      merged.push([items[i] as string, Number(items[i + 1])]);
  }
  return merged.sort((a, b) => a[1] - b[1]).slice(0, count);
}
