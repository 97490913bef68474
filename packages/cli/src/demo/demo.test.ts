import { ValidationError } from '@leasehold/client';
import { injectTarget, uniquePrefix } from '@leasehold/testing';
import { describe, expect, it } from 'vitest';
import { runDemo } from './index.js';

// The demo for real, briefly, on the harness's private standalone Redis (never 6379): real
// proxies on loopback, scraper child processes, the worker in-process.
describe('leasehold demo', () => {
  it('sends requests through every proxy within their caps, opens a circuit and rests the 429 proxy', async () => {
    const lines: string[] = [];
    const summary = await runDemo({
      seconds: 6,
      scrapers: 3,
      redisUrl: injectTarget('standalone').url,
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
    // The auth proxy's password is in the pool, never in what the demo prints.
    expect(lines.join('\n')).not.toContain('demo-secret');
    expect(lines.join('\n')).toContain('look at it yourself');
  }, 60_000);

  it('refuses bad options with a typed error before starting anything', async () => {
    await expect(runDemo({ scrapers: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(runDemo({ seconds: 1.5 })).rejects.toMatchObject({ field: 'options.seconds' });
  });
});
