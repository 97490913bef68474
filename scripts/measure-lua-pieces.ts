/**
 * pnpm bench:pieces [--proxies N] [--iterations N]: the server's own cost of each piece of
 * an acquire and a release, timed inside Redis (scripts/lua/measurePieces-13.lua, built into
 * a copy of the library on a private redis-server). The figures behind "Where a cycle's
 * server time goes" in packages/bench/README.md.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ProxyManager } from '@leasehold/client';
import { startRedisServer } from '@leasehold/testing';
import { Redis } from 'ioredis';
import { proxyInputs } from '../packages/bench/src/cases.js';
import { compileFilters } from '../packages/client/src/leasing/filters.js';
import { buildLibrary, parseScript, readLuaDirectory } from './luaLoader.js';

const { values } = parseArgs({
  options: {
    proxies: { type: 'string', default: '5000' },
    iterations: { type: 'string', default: '2000' },
  },
});
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { scripts, readInclude } = readLuaDirectory(join(root, 'lua'));
const measureFile = 'measurePieces-13.lua';
scripts.push(
  parseScript(measureFile, readFileSync(join(root, 'scripts/lua', measureFile), 'utf8')),
);
const library = buildLibrary(scripts, readInclude);
const measurePieces = library.functions.find((f) => f.name === 'measurePieces');
if (!measurePieces) throw new Error('measurePieces missing from the library');

const server = await startRedisServer();
const redis = new Redis(server.url);
try {
  const manager = new ProxyManager({ redis, prefix: 'pieces' });
  await manager.upsertPool({ name: 'p', selector: 'round-robin' });
  const inputs = proxyInputs(Number(values.proxies));
  for (let i = 0; i < inputs.length; i += 5000)
    await manager.addProxies('p', inputs.slice(i, i + 5000));
  // A lease and a success first, so the proxy's record has every field a busy one has.
  const lease = await manager.acquireProxy({ pool: 'p' });
  if (!lease) throw new Error('no proxy to measure with');
  await manager.releaseProxy(lease, { ok: true, latencyMs: 150 });

  await redis.function('LOAD', 'REPLACE', library.source);
  const keys = measurePieces.keys.map(
    (name) => manager.keys.poolKeys('p')[name as keyof ReturnType<typeof manager.keys.poolKeys>],
  );
  const rows = (await redis.fcall(
    measurePieces.functionName,
    keys.length,
    ...keys,
    manager.keys.poolPrefix('p'),
    lease.proxyId,
    values.iterations,
    compileFilters({ country: 'AR' }),
  )) as [string, string][];
  console.log(`${values.proxies} proxies, ${values.iterations} runs per piece, µs per run:\n`);
  for (const [piece, micros] of rows) console.log(`${piece.padEnd(42)} ${micros.padStart(8)}`);
  await manager.close();
} finally {
  await redis.quit();
  await server.stop();
}
