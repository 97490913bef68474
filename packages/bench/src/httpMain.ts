/**
 * pnpm bench:http [--smoke] [--only http|integrations]: what each integration costs per
 * request over a bare fetch through the same proxy — @leasehold/http's helpers, then Crawlee
 * and Playwright (Chromium at /usr/bin/chromium).
 */
import { parseArgs } from 'node:util';
import { formatHttpReport, runHttpBenchmarks } from './httpCases.js';
import { formatIntegrationReport, runIntegrationBenchmarks } from './integrationCases.js';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const smoke = values.smoke ?? false;
const onProgress = (m: string) => console.error(m);
if (values.only !== undefined && values.only !== 'http' && values.only !== 'integrations') {
  console.error('--only takes http or integrations');
  process.exit(2);
}
if (values.only !== 'integrations') {
  console.log(formatHttpReport(await runHttpBenchmarks({ smoke, onProgress })));
}
if (values.only !== 'http') {
  if (values.only === undefined) console.log('');
  console.log(formatIntegrationReport(await runIntegrationBenchmarks({ smoke, onProgress })));
}
