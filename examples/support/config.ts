/**
 * Where an example finds its world: run.ts sets REDIS_URL, LEASEHOLD_PREFIX, LEASEHOLD_POOL
 * and TARGET_URL (see environment.ts); in your own scraper these are your Redis, your pool
 * and your site.
 */
import { ProxyManager } from '@leasehold/client';

export const manager = new ProxyManager({
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: process.env.LEASEHOLD_PREFIX ?? 'lh',
});
export const pool = process.env.LEASEHOLD_POOL ?? 'demo';
export const site = process.env.TARGET_URL ?? 'http://127.0.0.1:8080';
