/** pnpm bench:http [--smoke]: what each @leasehold/http integration costs per request. */
import { parseArgs } from 'node:util';
import { formatHttpReport, runHttpBenchmarks } from './httpCases.js';

const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false } } });
const report = await runHttpBenchmarks({
  smoke: values.smoke ?? false,
  onProgress: (m) => console.error(m),
});
console.log(formatHttpReport(report));
