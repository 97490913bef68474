import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RedisTarget } from './redisTarget.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const main = join(root, 'packages/cli/src/main.ts');

/** The environment that points the CLI (or the worker) at a test target. */
export function redisTargetEnv(target: RedisTarget): Record<string, string> {
  return target.kind === 'standalone'
    ? { REDIS_URL: target.url, REDIS_CLUSTER_NODES: '' }
    : {
        REDIS_URL: '',
        REDIS_CLUSTER_NODES: target.nodes.map((n) => `${n.host}:${n.port}`).join(','),
      };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The `leasehold` command as a person runs it: a separate Node process (src/main.ts through
 * tsx), configured only by `env` on top of this process's environment. Never throws for a
 * non-zero exit: the exit code is part of what tests check.
 */
export async function runLeaseholdCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(tsx, [main, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
