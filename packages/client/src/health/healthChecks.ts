import {
  ERROR_CATEGORIES,
  fillGatewayUrl,
  type ParsedProxyUrl,
  parseInput,
  parseProxyUrl,
  poolNameSchema,
  redactCredentials,
} from '@leasehold/core';
import { luaScripts, secondsToMs } from '@leasehold/core/internal';
import { z } from 'zod';
import type { ManagerContext } from '../managerContext.js';
import { poolAndProxy } from '../poolInputs.js';
import type { LeasedProxy } from '../types.js';

/**
 * Plumbing of the worker's `health-check` job (active probes through open-circuit and
 * benched proxies): claim the proxies due for a probe, record each probe's result. Internal:
 * applications configure `healthCheck` on the pool and run the worker.
 */

/** A proxy to probe: what proxyDispatcher needs (credentials included: never log it). */
export interface HealthCheckTarget {
  proxyId: string;
  proxy: Pick<LeasedProxy, 'url' | 'protocol' | 'host' | 'port' | 'username' | 'password'>;
}

export interface HealthCheckResult {
  ok: boolean;
  /** Why it failed (an outcome category); required when `ok` is false. */
  category?: (typeof ERROR_CATEGORIES)[number];
  statusCode?: number;
  /** Stored in the error log, credentials redacted. */
  message?: string;
  latencyMs?: number;
}

/** What a probe decided: back in rotation, still out, or nothing (the proxy is disabled). */
export type HealthCheckVerdict = 'closed' | 'kept_out' | 'disabled';

const ClaimSchema = z
  .object({
    intervalSeconds: z.number().min(1).max(86_400),
    limit: z.int().min(1).max(1000).default(100),
    scanLimit: z.int().min(1).max(100_000).default(1000),
  })
  .strict();

const ResultSchema = z
  .object({
    ok: z.boolean(),
    category: z.enum(ERROR_CATEGORIES).optional(),
    statusCode: z.int().min(100).max(599).optional(),
    message: z.string().max(1024).optional(),
    latencyMs: z.number().min(0).max(3_600_000).optional(),
  })
  .strict()
  .refine((r) => r.ok || r.category !== undefined, {
    path: ['category'],
    message: 'a failed probe needs a category',
  });

// The key a gateway's `{session}` is filled with for probes: one exit per proxy, stable.
const PROBE_GATEWAY_KEY = 'health-check';

function targetOf(proxyId: string, storedUrl: string): HealthCheckTarget {
  const parsed: ParsedProxyUrl = parseProxyUrl(storedUrl);
  const gateway = storedUrl.includes('%7B')
    ? fillGatewayUrl(parsed, `${PROBE_GATEWAY_KEY}:${proxyId}`)
    : undefined;
  const p = gateway === undefined ? parsed : { ...parsed, ...gateway };
  return {
    proxyId,
    proxy: {
      url: gateway?.url ?? storedUrl,
      protocol: p.protocol,
      host: p.host,
      port: p.port,
      ...(p.username === undefined ? {} : { username: p.username }),
      ...(p.password === undefined ? {} : { password: p.password }),
    },
  };
}

/**
 * Claim up to `limit` open-circuit or benched proxies not probed in the last
 * `intervalSeconds` (looking at most `scanLimit` cooldown entries). Claims are stamped in
 * Redis, so worker replicas never probe one proxy twice in an interval.
 */
export async function claimHealthChecks(
  ctx: ManagerContext,
  pool: string,
  options: z.input<typeof ClaimSchema>,
): Promise<HealthCheckTarget[]> {
  const poolName = parseInput(poolNameSchema, pool, 'pool');
  const o = parseInput(ClaimSchema, options, 'options');
  const reply = await ctx.runPoolScript(luaScripts.claimHealthChecks, poolName, [
    ctx.prefix(poolName),
    secondsToMs(o.intervalSeconds),
    o.limit,
    o.scanLimit,
  ]);
  const flat = reply[1] as string[];
  const targets: HealthCheckTarget[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    targets.push(targetOf(flat[i] as string, flat[i + 1] as string));
  }
  return targets;
}

/** Record one probe: it counts in the proxy's health; a pass closes / unbenches at once. */
export async function recordHealthCheck(
  ctx: ManagerContext,
  pool: string,
  proxyId: string,
  result: HealthCheckResult,
): Promise<HealthCheckVerdict> {
  const [poolName, id] = poolAndProxy(pool, proxyId);
  const r = parseInput(ResultSchema, result, 'result');
  const reply = await ctx.runPoolScript(
    luaScripts.recordHealthCheck,
    poolName,
    [
      ctx.prefix(poolName),
      id,
      r.ok ? '1' : '0',
      r.ok ? '' : (r.category ?? 'unknown'),
      r.statusCode ?? '',
      r.message === undefined ? '' : redactCredentials(r.message),
      r.latencyMs ?? '',
    ],
    { proxyId: id },
  );
  return reply[1] as HealthCheckVerdict;
}
