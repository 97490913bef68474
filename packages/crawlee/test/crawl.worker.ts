// Child process: one Crawlee crawler sharing a Leasehold pool with its siblings.
import { ProxyManager } from '@leasehold/client';
import {
  closeRedisClient,
  createRedisClient,
  type RedisTarget,
  runChildWorker,
  waitForStartSignal,
} from '@leasehold/testing';
import { type CrawlReport, type CrawlSettings, crawlWithLeasehold } from './crawlSupport.js';

interface Payload {
  target: RedisTarget;
  prefix: string;
  settings: CrawlSettings;
}

runChildWorker<Payload, CrawlReport>(async ({ target, prefix, settings }) => {
  const redis = await createRedisClient(target);
  const manager = new ProxyManager({ redis, prefix });
  try {
    await waitForStartSignal();
    return await crawlWithLeasehold(manager, settings);
  } finally {
    await manager.close();
    await closeRedisClient(redis);
  }
});
