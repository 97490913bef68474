// Child process for the multi-process race test: every child acquires from the same cap-1
// pool at the same moment and reports whether it got the lease.
import { ProxyManager } from '@leasehold/client';
import {
  closeRedisClient,
  createRedisClient,
  type RedisTarget,
  runChildWorker,
  waitForStartSignal,
} from '@leasehold/testing';

interface Payload {
  target: RedisTarget;
  prefix: string;
  pool: string;
  attempts: number;
}

runChildWorker<Payload, { pid: number; leases: { proxyId: string; fencingToken: number }[] }>(
  async ({ target, prefix, pool, attempts }) => {
    const redis = await createRedisClient(target);
    const manager = new ProxyManager({ redis, prefix });
    try {
      await waitForStartSignal();
      const results = await Promise.all(
        Array.from({ length: attempts }, (_, i) =>
          manager.acquireProxy({ pool, consumer: `pid-${process.pid}-${i}` }),
        ),
      );
      const leases = results.flatMap((l) =>
        l ? [{ proxyId: l.proxyId, fencingToken: l.fencingToken }] : [],
      );
      return { pid: process.pid, leases };
    } finally {
      await closeRedisClient(redis);
    }
  },
);
