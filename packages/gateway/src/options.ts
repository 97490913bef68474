// startGateway's options, checked with zod at the boundary. A bind beyond loopback without a
// token refuses to start: anyone on the network could spend the pool's proxies.
import { LIMITS, parseInput, poolNameSchema, ValidationError } from '@leasehold/core';
import { bindHostSchema, isLoopback, serverTokenSchema } from '@leasehold/core/internal';
import { z } from 'zod';

export const GatewayOptionsSchema = z
  .object({
    host: bindHostSchema.default('127.0.0.1'),
    port: z.int().min(0).max(65_535).default(8880),
    /** Checked in full by ProxyManager. */
    prefix: z.string().max(64).default('lh'),
    /** The pool a request without `pool=` in its username leases from. */
    pool: poolNameSchema,
    /** LEASEHOLD_GATEWAY_TOKEN: the proxy password every request must carry. */
    token: serverTokenSchema.optional(),
    /** How long a request waits for a free proxy (username key `wait`). */
    waitMs: z.int().min(0).max(LIMITS.maxWaitMs).default(5000),
    /** close(): how long open requests and tunnels may still finish. */
    graceMs: z.int().min(0).max(600_000).default(10_000),
    /** Connecting to an upstream and the idle time of an upstream connection. */
    upstreamTimeoutMs: z.int().min(100).max(600_000).default(30_000),
    /** How often an open tunnel's lease is extended (default: a third of the lease's duration). */
    renewEveryMs: z.int().min(10).max(3_600_000).optional(),
  })
  .strict();

export type ResolvedGatewayOptions = z.output<typeof GatewayOptionsSchema>;

export class GatewayTokenRequiredError extends ValidationError {
  constructor(host: string) {
    super(
      [{ field: 'token', message: `is required to serve the gateway on ${host} (not loopback)` }],
      'Set LEASEHOLD_GATEWAY_TOKEN (16+ characters), or bind to 127.0.0.1',
    );
  }
}

/** Every option but `redis`; throws the ValidationError startGateway would. */
export function validateGatewayOptions(options: unknown): ResolvedGatewayOptions {
  const parsed = parseInput(GatewayOptionsSchema, options);
  if (!isLoopback(parsed.host) && parsed.token === undefined)
    throw new GatewayTokenRequiredError(parsed.host);
  return parsed;
}
