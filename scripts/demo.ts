/**
 * The live demo (see packages/cli/src/demo): real loopback proxies, a local site, scraper
 * processes and the housekeeping worker, against REDIS_URL (default redis://127.0.0.1:6379).
 * Exit 1 when a proxy saw more concurrent requests than its cap.
 *
 *   pnpm demo [--seconds 60] [--scrapers 4]
 */
import { parseArgs } from 'node:util';
import { runDemo } from '../packages/cli/src/demo/run.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    scrapers: { type: 'string', default: '4' },
    pool: { type: 'string', default: 'demo' },
  },
});
const seconds = Number(values.seconds);
const scrapers = Number(values.scrapers);
if (![seconds, scrapers].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('--seconds and --scrapers must be positive whole numbers');
  process.exit(2);
}
const summary = await runDemo({ seconds, scrapers, pool: values.pool as string });
process.exitCode = summary.capViolations === 0 ? 0 : 1;
