/**
 * pnpm bench [--smoke] [--out FILE]: runs every case on a private redis-server, prints one
 * table and writes the report as JSON (default bench-results/bench-<time>.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport, runBenchmarks } from './suite.js';

const { values } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, out: { type: 'string' } },
});
const out = resolve(
  process.env.INIT_CWD ?? process.cwd(),
  values.out ?? `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
);
const report = await runBenchmarks({
  smoke: values.smoke ?? false,
  onProgress: (m) => console.error(m),
});
console.log(formatReport(report));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nreport written to ${out}`);
