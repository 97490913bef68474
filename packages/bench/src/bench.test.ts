import { describe, expect, it } from 'vitest';
import { formatReport, runBenchmarks } from './suite.js';

// A smoke run only: it must complete and produce a well-formed report. Speed is never
// asserted here (that is what the full `pnpm bench` run and its ratios are for).
describe('benchmark suite (smoke)', () => {
  it('runs every case on a private redis-server and reports them', async () => {
    const report = await runBenchmarks({ smoke: true });
    const parsed = JSON.parse(JSON.stringify(report)) as typeof report;
    expect(parsed.cases.map((c) => c.name)).toHaveLength(13);
    for (const c of parsed.cases) {
      expect(c.cycles, c.name).toBeGreaterThan(0);
      expect(Number.isFinite(c.cyclesPerSec), c.name).toBe(true);
      expect(c.serverCpuUsPerCycle, c.name).toBeGreaterThan(0);
    }
    expect(parsed.memory.bytesPerProxy).toBeGreaterThan(0);
    expect(parsed.targets.length).toBeGreaterThanOrEqual(9);
    for (const t of parsed.targets) {
      expect(Number.isFinite(t.ratio) && t.ratio > 0, t.name).toBe(true);
    }
    expect(parsed.targets.filter((t) => t.name.includes('(paired windows)'))).toHaveLength(4);
    expect(formatReport(parsed)).toContain('targets (ratios measured in this run)');
  }, 120_000);
});
