import { redisEndpointFromEnv, ValidationError } from '@leasehold/client';
import { injectTarget, redisTargetEnv, uniquePrefix } from '@leasehold/testing';
import { describe, expect, it } from 'vitest';
import { runDemo } from './run.js';

// The demo for real, briefly, on the harness's private Redis Cluster (never 6379): real
// proxies on loopback, scraper child processes, the worker in-process. On a cluster, so the
// demo, its scrapers and its worker must connect as every other command does (REDIS_* read
// by redisEndpointFromEnv), not with a bare `new Redis(url)`.
describe('leasehold demo', () => {
  it('sends requests through every proxy within their caps, opens a circuit and rests the 429 proxy', async () => {
    const lines: string[] = [];
    const summary = await runDemo({
      seconds: 6,
      scrapers: 3,
      redis: redisEndpointFromEnv(redisTargetEnv(injectTarget('cluster'))),
      prefix: uniquePrefix(),
      dashboardPort: 0,
      log: (line) => lines.push(line),
    });
    const byName = new Map(summary.proxies.map((p) => [p.name, p]));
    for (const p of summary.proxies) {
      if (p.behaviour === 'healthy' || p.behaviour === 'slow' || p.behaviour === 'auth') {
        expect(p.served, `${p.name} served requests`).toBeGreaterThan(0);
      }
      expect(p.peak, `${p.name}'s own peak concurrency`).toBeLessThanOrEqual(p.cap);
    }
    expect(summary.capViolations).toBe(0);
    expect(byName.get('failing')?.circuitOpenings).toBeGreaterThan(0);
    expect(byName.get('rate-limited')?.rateLimitRests).toBeGreaterThan(0);
    expect(summary.requests).toBeGreaterThan(20);
    expect(summary.interrupted).toBe(false);
    expect(lines.join('\n')).toContain('on Redis Cluster');
    // The auth proxy's password is in the pool, never in what the demo prints.
    expect(lines.join('\n')).not.toContain('demo-secret');
    expect(lines.join('\n')).toContain('look at it yourself');
  }, 90_000);

  it('refuses bad options with a typed error before starting anything', async () => {
    await expect(runDemo({ scrapers: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(runDemo({ seconds: 1.5 })).rejects.toMatchObject({ field: 'options.seconds' });
    await expect(runDemo({ redis: 'http://nope' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
