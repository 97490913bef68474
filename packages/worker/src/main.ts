// Entry point: `pnpm --filter @leasehold/worker start`. Configuration comes from the
// environment (see config.ts); a bad variable stops the process before anything connects.
import { runWorkerFromEnv } from './runFromEnv.js';

process.exit(await runWorkerFromEnv(process.env));
