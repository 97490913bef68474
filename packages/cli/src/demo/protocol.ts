import type { RedisEndpoint } from '@leasehold/client';

/** What runDemo and its scraper child processes share (the scraper module runs on import). */
export const SCRAPER_CONFIG_ENV = 'LEASEHOLD_DEMO_SCRAPER';

export interface ScraperConfig {
  /** The demo's own endpoint (credentials, TLS, cluster nodes): plain JSON. */
  redis: string | RedisEndpoint;
  prefix: string;
  pool: string;
  consumer: string;
  siteUrl: string;
  pages: string[];
}

/** What a scraper tells the parent: booted, then one message per request. */
export type ScraperReport =
  | { type: 'ready' }
  | { type: 'request'; proxyId: string; ok: boolean; category?: string };

/** What the parent tells a scraper: run until `deadline` (epoch ms), or stop now. */
export type ScraperCommand = { type: 'go'; deadline: number } | { type: 'stop' };
