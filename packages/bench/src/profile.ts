/**
 * pnpm bench:profile [--proxies N] [--filter [--filter-kind label|nested|geo]] [--session]
 * [--contended] [--seconds S]: where
 * one Leasehold cycle's server time goes. Runs the cycle (uncontended, or with --contended as
 * the benchmark's contended case: one slot per proxy, waitMs, 2 ms hold) on a private
 * redis-server, then splits
 * the scripts' time (INFO commandstats) into the Redis commands they called and the rest —
 * the Lua interpreter, argument and reply conversion.
 */
import { parseArgs } from 'node:util';
import { ProxyManager } from '@leasehold/client';
import { startRedisServer } from '@leasehold/testing';
import { Redis } from 'ioredis';
import {
  type BenchFilter,
  type BenchServer,
  CONNECTIONS,
  connect,
  leaseholdCycle,
  type SlotTimes,
  setUpPool,
} from './cases.js';
import { runLoad } from './measure.js';
import { commandStats, SCRIPT_COMMANDS } from './serverProbe.js';

const { values } = parseArgs({
  options: {
    proxies: { type: 'string', default: '100' },
    filter: { type: 'boolean', default: false },
    'filter-kind': { type: 'string', default: 'label' },
    session: { type: 'boolean', default: false },
    contended: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '3' },
  },
});

const handle = await startRedisServer();
const redis = new Redis(handle.url);
const server: BenchServer = { pid: handle.pid, port: handle.port, url: handle.url, redis };
try {
  const opts = {
    name: 'profile',
    poolSize: Number(values.proxies),
    filter: values.filter ? (values['filter-kind'] as BenchFilter) : false,
    session: values.session ?? false,
    ...(values.contended ? { maxConcurrency: 1, waitMs: 30_000, holdMs: 2 } : {}),
  };
  const { prefix, pool } = await setUpPool(server, opts);
  const client = connect(server);
  const manager = new ProxyManager({ redis: client, prefix, connections: CONNECTIONS });
  const load = { callers: 50, warmupMs: 500, windowMs: Number(values.seconds) * 1000 };
  // Warm up (script load, JIT), then reset the counters and measure a clean window.
  await runLoad('warm-up', leaseholdCycle(manager, pool, opts), { ...load, windowMs: 500 }, server);
  await redis.config('RESETSTAT');
  const slots: SlotTimes = { hold: [], idle: [], release: [] };
  const result = await runLoad(opts.name, leaseholdCycle(manager, pool, opts, slots), load, server);
  const stats = await commandStats(redis);
  await manager.close();
  await client.quit();

  // Callers finish the cycle in flight after the window, so count cycles by script calls
  // (acquire + release = 2 per cycle) rather than by the window's count.
  let scriptCalls = 0;
  for (const [name, s] of stats) if (SCRIPT_COMMANDS.has(name)) scriptCalls += s.calls;
  const cycles = scriptCalls / 2;
  let scriptUsec = 0;
  let nestedUsec = 0;
  const rows: string[] = [];
  for (const [name, s] of [...stats].sort((a, b) => b[1].usec - a[1].usec)) {
    if (name === 'info' || name === 'config') continue;
    if (SCRIPT_COMMANDS.has(name)) scriptUsec += s.usec;
    else nestedUsec += s.usec;
    rows.push(
      `${name.padEnd(16)} ${(s.calls / cycles).toFixed(2).padStart(8)} ${(s.usec / s.calls).toFixed(2).padStart(10)} ${(s.usec / cycles).toFixed(1).padStart(10)}`,
    );
  }
  console.log(
    `${result.cycles} cycles, ${result.cyclesPerSec.toFixed(0)}/s, server CPU ${result.serverCpuUsPerCycle.toFixed(1)} µs/cycle\n`,
  );
  console.log(
    `${'command'.padEnd(16)} ${'per cycle'.padStart(8)} ${'µs/call'.padStart(10)} ${'µs/cycle'.padStart(10)}`,
  );
  console.log(rows.join('\n'));
  console.log(
    `\nscripts ${(scriptUsec / cycles).toFixed(1)} µs/cycle, of which Redis commands ${(nestedUsec / cycles).toFixed(1)}, interpreter and conversion ${((scriptUsec - nestedUsec) / cycles).toFixed(1)}`,
  );
  if (values.contended) {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    console.log(
      `\nper slot: held ${mean(slots.hold).toFixed(2)} ms, then free ${mean(slots.idle).toFixed(2)} ms until the next lease; a release takes ${mean(slots.release).toFixed(2)} ms`,
    );
  }
} finally {
  await redis.quit();
  await handle.stop();
}
