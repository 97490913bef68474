import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  SCRAPER_CONFIG_ENV,
  type ScraperCommand,
  type ScraperConfig,
  type ScraperReport,
} from './protocol.js';

/** What the scrapers report, added up as they go. */
export interface Tally {
  requests: number;
  successes: number;
  failuresByCategory: Record<string, number>;
}

/** The monorepo root when running from source (tsx reads its tsconfig paths there). */
function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dirname(dir) !== dir) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/** Forks one scraper: the .ts module through tsx when running from source, else the built .js. */
function forkScraper(config: ScraperConfig): ChildProcess {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(
    new URL(fromSource ? './scraper.ts' : './scraper.js', import.meta.url),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, [SCRAPER_CONFIG_ENV]: JSON.stringify(config) };
  const execArgv: string[] = [];
  if (fromSource) {
    execArgv.push('--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href);
    const root = repoRoot();
    if (root) env.TSX_TSCONFIG_PATH = join(root, 'tsconfig.json');
  }
  return fork(file, [], { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Stops a scraper: asked first, killed if it has not gone within `graceMs`. */
export function stopScraper(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    const stop: ScraperCommand = { type: 'stop' };
    if (child.connected) child.send(stop, () => undefined);
    else child.kill('SIGTERM');
  });
}

/**
 * Forks `count` scrapers (consumers scraper-1..n) that tally into `tally`; resolves once
 * every one is booted (or gone), at most after 30 s or when `stop` aborts.
 */
export async function startScrapers(
  count: number,
  config: Omit<ScraperConfig, 'consumer'>,
  tally: Tally,
  stop: AbortSignal,
): Promise<ChildProcess[]> {
  const children: ChildProcess[] = [];
  const ready: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const child = forkScraper({ ...config, consumer: `scraper-${i + 1}` });
    children.push(child);
    ready.push(
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.on('message', (message: ScraperReport) => {
          if (message?.type === 'ready') resolve(undefined);
          if (message?.type !== 'request') return;
          tally.requests++;
          if (message.ok) tally.successes++;
          else {
            const category = message.category ?? 'unknown';
            tally.failuresByCategory[category] = (tally.failuresByCategory[category] ?? 0) + 1;
          }
        });
      }),
    );
  }
  const booted = AbortSignal.any([stop, AbortSignal.timeout(30_000)]);
  await Promise.race([
    Promise.all(ready),
    new Promise((resolve) => booted.addEventListener('abort', resolve, { once: true })),
  ]);
  return children;
}

/** Every scraper told to run until `deadline`. */
export function startRunning(children: ChildProcess[], deadline: number): void {
  const go: ScraperCommand = { type: 'go', deadline };
  for (const child of children) if (child.connected) child.send(go, () => undefined);
}
