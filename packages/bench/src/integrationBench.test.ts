import { describe, expect, it } from 'vitest';
import { formatIntegrationReport, runIntegrationBenchmarks } from './integrationCases.js';

// A smoke run: every Crawlee and Chromium case loads its pages through the loopback proxies
// (the Leasehold ones through leases) and gets a ratio. Speed itself is never asserted.
describe('Crawlee and Playwright integration benchmark (smoke)', () => {
  it('measures each integration against a bare fetch and against the tool without Leasehold', async () => {
    const report = await runIntegrationBenchmarks({ smoke: true });
    expect(report.rows.map((r) => r.name)).toHaveLength(5);
    expect(report.rows[0]?.vsBaseline).toBe(1);
    for (const row of report.rows) {
      expect(row.requests, row.name).toBeGreaterThan(0);
      expect(Number.isFinite(row.vsBaseline) && row.vsBaseline > 0, row.name).toBe(true);
    }
    // 2 rounds of 40 crawled pages and 3 browser pages, plus one warm-up page, all leased.
    expect(report.leasesTaken).toBeGreaterThanOrEqual(2 * (40 + 3) + 1);
    expect(report.proxied).toBeGreaterThanOrEqual(4 * 40);
    expect(report.crawleeLeaseholdVsPlain).toBeGreaterThan(0);
    expect(report.playwrightLeaseholdVsStatic).toBeGreaterThan(0);
    expect(formatIntegrationReport(report)).toContain('Leasehold-Crawlee vs plain Crawlee');
  }, 60_000);
});
