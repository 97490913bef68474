/**
 * Runs one example against the demo's local proxies and site, on REDIS_URL (default
 * redis://127.0.0.1:6379):  pnpm example <name>   e.g. pnpm example fetch
 *
 * It starts the loopback world (examples/support/environment.ts), runs examples/<name>.ts in a child
 * process with REDIS_URL, LEASEHOLD_PREFIX, LEASEHOLD_POOL and TARGET_URL set, then says what
 * each proxy served and fails when the example failed, when no proxy saw a request, or when a
 * proxy saw more concurrent requests than its cap.
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startExampleEnvironment } from './support/environment.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const examples = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -3))
  .sort();

const name = process.argv[2] ?? '';
if (!examples.includes(name)) {
  console.error(`usage: pnpm example <name>   (one of: ${examples.join(', ')})`);
  process.exit(2);
}
// A hung example must not hang CI: it gets this long, then it is killed.
const TIMEOUT_MS = Number(process.env.EXAMPLE_TIMEOUT_MS ?? 120_000);

const world = await startExampleEnvironment(name);
console.log(`example ${name}: pool ${world.pool}, site ${world.site.url}`);
let exitCode = 1;
try {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(file)) throw new Error(`no example ${file}`);
  const child = fork(file, process.argv.slice(3), {
    // tsx reads the root tsconfig's paths: `@leasehold/*` resolve to the packages' sources.
    env: { ...process.env, ...world.env, TSX_TSCONFIG_PATH: tsconfig },
    execArgv: ['--import', tsx],
    stdio: 'inherit',
  });
  const timer = setTimeout(() => {
    console.error(`example ${name}: still running after ${TIMEOUT_MS} ms, killed`);
    child.kill('SIGKILL');
  }, TIMEOUT_MS);
  const code = await new Promise<number>((resolve) =>
    child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
  );
  clearTimeout(timer);

  let served = 0;
  let overCap = 0;
  for (const { proxy, cap } of world.proxies) {
    served += proxy.served;
    if (proxy.peak > cap) overCap++;
    console.log(
      `  proxy ${proxy.name.padEnd(10)} served ${String(proxy.served).padStart(4)}  peak ${proxy.peak}/${cap}${proxy.peak > cap ? '  OVER CAP' : ''}`,
    );
  }
  if (code !== 0) console.error(`example ${name}: exited with ${code}`);
  else if (served === 0) console.error(`example ${name}: no request went through a proxy`);
  else if (overCap > 0) console.error(`example ${name}: ${overCap} proxies went over their cap`);
  else exitCode = 0;
} finally {
  await world.close();
}
process.exit(exitCode);
