import { describeEachTarget, type RedisClient } from '@leasehold/testing';
import type { Cluster, Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { freshPool, proxyUrls } from '../../test/testSupport.js';
import type { Lease } from '../types.js';

// Capacity wake-ups use sharded pub/sub (SPUBLISH / SSUBSCRIBE), so on
// a cluster they stay on the shard owning the pool's slot instead of reaching every node.
function masters(redis: RedisClient): Redis[] {
  return redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
}

describeEachTarget('capacity wake-ups on sharded pub/sub', (ctx) => {
  it('the waiter subscribes with SSUBSCRIBE on the node owning the pool slot', async () => {
    const { manager, pool, prefix } = await freshPool(ctx);
    await manager.addProxies(pool, [{ url: proxyUrls(1)[0] as string, maxConcurrency: 1 }]);
    const channel = `${prefix}:{${pool}}:capacity`;
    const held = (await manager.acquireProxy({ pool })) as Lease;
    const waiting = manager.acquireProxy({ pool, waitMs: 10_000 });

    let subscribedOn: Redis[] = [];
    for (let i = 0; i < 100 && subscribedOn.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      subscribedOn = [];
      for (const node of masters(ctx.redis())) {
        const sharded = (await node.call('PUBSUB', 'SHARDCHANNELS', channel)) as string[];
        if (sharded.includes(channel)) subscribedOn.push(node);
        // Never a classic (cluster-wide broadcast) subscription.
        expect(await node.call('PUBSUB', 'CHANNELS', channel)).toEqual([]);
      }
    }
    expect(subscribedOn).toHaveLength(1);
    // The node holding the subscription owns the slot: SPUBLISH there is not MOVED.
    expect(await (subscribedOn[0] as Redis).call('SPUBLISH', channel, '1')).toBe(1);

    await manager.releaseProxy(held);
    expect(await waiting).not.toBeNull();
    await manager.close();
  });
});
