// Helpers shared by the CLI's test files (not part of the published package).
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { StandaloneTarget } from '@leasehold/testing';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const main = join(root, 'packages/cli/src/main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as a person runs it: a separate process, configured by env, against real Redis. */
export async function runCli(
  target: StandaloneTarget,
  prefix: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(tsx, [main, ...args], {
      cwd: root,
      env: { ...process.env, REDIS_URL: target.url, LEASEHOLD_PREFIX: prefix, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
