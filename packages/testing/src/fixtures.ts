// Runs one suite body against every Redis target (standalone and cluster), the way
// node-redlock's tests do, with a shared client per suite and helpers for extra clients.
//
//   describeEachTarget('ProxyManager', (ctx) => {
//     it('leases', async () => {
//       const prefix = ctx.uniquePrefix();
//       await ctx.redis().set(`${prefix}:k`, '1');
//     });
//   });
import type { RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { CLUSTER_TARGET_KEY, STANDALONE_TARGET_KEY } from './providedContext.js';
import { closeRedisClient, createRedisClient } from './redisClients.js';
import type {
  ClusterTarget,
  RedisClient,
  RedisTarget,
  RedisTargetKind,
  StandaloneTarget,
} from './redisTarget.js';
import { uniquePrefix } from './uniquePrefix.js';

export interface TargetContext {
  /** Which Redis this copy of the suite runs against; plain JSON, safe to hand to a child process. */
  readonly target: RedisTarget;
  /** The suite's shared client, connected in beforeAll and closed in afterAll. */
  redis(): RedisClient;
  /** An extra independent connection, closed automatically after the suite. */
  newClient(redisOptions?: RedisOptions): Promise<RedisClient>;
  /** A fresh key prefix (`lht-<random>`); call it once per test. */
  uniquePrefix(): string;
}

export interface DescribeEachTargetOptions {
  /** Restrict the suite to some targets. Default: both. */
  targets?: readonly RedisTargetKind[];
}

const ALL_TARGETS: readonly RedisTargetKind[] = ['standalone', 'cluster'];

/** The target provided by the harness's globalSetup (or by REDIS_URL / REDIS_CLUSTER_NODES). */
export function injectTarget(kind: 'standalone'): StandaloneTarget;
export function injectTarget(kind: 'cluster'): ClusterTarget;
export function injectTarget(kind: RedisTargetKind): RedisTarget;
export function injectTarget(kind: RedisTargetKind): RedisTarget {
  const target = kind === 'standalone' ? inject(STANDALONE_TARGET_KEY) : inject(CLUSTER_TARGET_KEY);
  if (!target) {
    throw new Error(
      `no ${kind} Redis target was provided: is packages/testing/src/globalSetup.ts listed in globalSetup of vitest.config.ts?`,
    );
  }
  return target;
}

/** Declares `describe(\`${name} [standalone]\`)` and `describe(\`${name} [cluster]\`)`, each running `body`. */
export function describeEachTarget(
  name: string,
  body: (ctx: TargetContext) => void,
  options: DescribeEachTargetOptions = {},
): void {
  for (const kind of options.targets ?? ALL_TARGETS) {
    describe(`${name} [${kind}]`, () => {
      const target = injectTarget(kind);
      let shared: RedisClient | undefined;
      const extras: RedisClient[] = [];

      beforeAll(async () => {
        shared = await createRedisClient(target);
      });
      afterAll(async () => {
        const clients = shared ? [shared, ...extras] : extras;
        await Promise.all(clients.map((client) => closeRedisClient(client)));
        shared = undefined;
        extras.length = 0;
      });

      body({
        target,
        redis() {
          if (!shared)
            throw new Error(
              'ctx.redis() is only available inside tests and hooks, not while collecting',
            );
          return shared;
        },
        async newClient(redisOptions) {
          const client = await createRedisClient(target, redisOptions);
          extras.push(client);
          return client;
        },
        uniquePrefix,
      });
    });
  }
}
