import { memoryFigures } from '../packages/bench/src/cases.js';
import { startRedisServer } from '@leasehold/testing';
import { Redis } from 'ioredis';
const h = await startRedisServer();
const redis = new Redis(h.url);
console.log(await memoryFigures({ pid: h.pid, port: h.port, url: h.url, redis }, 100000, 10000));
await redis.quit(); await h.stop();
