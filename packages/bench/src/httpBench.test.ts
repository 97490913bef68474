import { describe, expect, it } from 'vitest';
import { formatHttpReport, runHttpBenchmarks } from './httpCases.js';

// A smoke run: every integration case completes requests through the loopback proxies and
// gets a ratio to the bare fetch. Speed itself is never asserted here.
describe('@leasehold/http benchmark (smoke)', () => {
  it('measures each integration against a bare fetch through the same proxy', async () => {
    const report = await runHttpBenchmarks({ smoke: true });
    expect(report.cases).toHaveLength(9);
    expect(report.cases[0]?.vsBaseline).toBe(1);
    for (const c of report.cases) {
      expect(c.requests, c.name).toBeGreaterThan(0);
      expect(Number.isFinite(c.vsBaseline) && c.vsBaseline > 0, c.name).toBe(true);
    }
    expect(formatHttpReport(report)).toContain('vs bare fetch');
  }, 60_000);
});
