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
      // The server's CPU is read in clock ticks (10 ms): a short smoke window of a light case
      // on a loaded machine can see none, so each case may read 0, never less or NaN...
      expect(c.serverCpuUsPerCycle, c.name).toBeGreaterThanOrEqual(0);
    }
    // ...but the probe must see the server work over the whole run.
    expect(
      parsed.cases.reduce((sum, c) => sum + c.serverCpuUsPerCycle * c.cycles, 0),
    ).toBeGreaterThan(0);
    expect(parsed.memory.bytesPerProxy).toBeGreaterThan(0);
    expect(parsed.targets.length).toBeGreaterThanOrEqual(9);
    for (const t of parsed.targets) {
      expect(Number.isFinite(t.ratio) && t.ratio > 0, t.name).toBe(true);
    }
    expect(parsed.targets.filter((t) => t.name.includes('(paired windows)'))).toHaveLength(4);
    expect(formatReport(parsed)).toContain('targets (ratios measured in this run)');
  }, 120_000);
});
