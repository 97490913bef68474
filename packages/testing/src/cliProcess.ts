import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import type { RedisTarget } from './redisTarget.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
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
 * Third-party imports stay outside the bundle, as absolute paths to what esbuild resolves
 * (so the bundle can live anywhere); the workspace's own source is bundled.
 */
const externalDependencies: Plugin = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@leasehold/') || args.pluginData === 'inner') return undefined;
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'inner',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
    // import.meta.url keeps meaning the source file (the worker finds its migrations by it).
    b.onLoad({ filter: /packages\/[^/]+\/src\/.*\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

let bundled: Promise<string> | undefined;

/**
 * The CLI's source bundled once per test process (~0.1 s): a CLI call then costs a plain
 * `node` start (~0.5 s) instead of tsx compiling the whole import graph again (~1.3 s idle,
 * several seconds on a loaded 2-core machine), for every one of the suite's many calls.
 */
function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leasehold-cli-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'leasehold.mjs');
    await build({
      entryPoints: [main],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      tsconfig: join(root, 'tsconfig.json'),
      plugins: [externalDependencies],
      logLevel: 'silent',
    });
    return outfile;
  })();
  return bundled;
}

/**
 * The `leasehold` command as a person runs it: a separate Node process running the CLI's
 * source (bundled), configured only by `env` on top of this process's environment. Never
 * throws for a non-zero exit: the exit code is part of what tests check.
 */
export async function runLeaseholdCli(
  args: readonly string[],
  env: Record<string, string> = {},
  /** A process still running after this long is killed: its code is then null. */
  timeoutMs = 0,
): Promise<CliResult> {
  const entry = await cliBundle();
  try {
    const { stdout, stderr } = await run(process.execPath, [entry, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number | null; stdout: string; stderr: string };
    return { code: e.code as number, stdout: e.stdout, stderr: e.stderr };
  }
}
