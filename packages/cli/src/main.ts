/**
 * leasehold — see `leasehold --help`. Config by env: REDIS_URL (default
 * redis://127.0.0.1:6379) or REDIS_CLUSTER_NODES, REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS,
 * LEASEHOLD_PREFIX (default lh), PROXY_LIST, DATABASE_URL.
 */
import { processIo } from './runner/io.js';
import { runCli } from './runner/runCli.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
