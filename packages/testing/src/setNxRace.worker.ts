// Worker for harness.test.ts: each child tries SET NX on the same key after the common start
// signal and reports whether it won. Imports '@leasehold/testing' by name on purpose, to
// prove that children resolve workspace packages through tsconfig paths.
import {
  closeRedisClient,
  createRedisClient,
  type RedisTarget,
  runChildWorker,
  waitForStartSignal,
} from '@leasehold/testing';

interface Payload {
  target: RedisTarget;
  key: string;
  fail?: boolean;
}

runChildWorker<Payload, { index: number; won: boolean; pid: number }>(
  async ({ target, key, fail }, index) => {
    if (fail) throw new Error(`child ${index} failing on purpose`);
    const redis = await createRedisClient(target);
    try {
      await waitForStartSignal();
      const won = (await redis.set(key, String(process.pid), 'PX', 60_000, 'NX')) === 'OK';
      return { index, won, pid: process.pid };
    } finally {
      await closeRedisClient(redis);
    }
  },
);
