import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatReport, runBenchmarks } from '@leasehold/bench';

/** leasehold bench: the same suite as `pnpm bench`, on a private redis-server. */
export async function runBenchCommand(options: {
  smoke: boolean;
  out: string | undefined;
}): Promise<number> {
  const out = resolve(
    options.out ?? `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  const report = await runBenchmarks({
    smoke: options.smoke,
    onProgress: (m) => process.stderr.write(`${m}\n`),
  });
  process.stdout.write(`${formatReport(report)}\n`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nreport written to ${out}\n`);
  return 0;
}
