import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * What the Redis server spent: CPU time of its process (from /proc/<pid>/stat, so it counts
 * exactly the server and nothing else on this noisy 2-core machine) and how many scripts
 * it ran (INFO commandstats).
 */

const CLOCK_TICKS_PER_SECOND =
  Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU of a process, in microseconds. */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

/** The commands that run a script; commands a script calls are counted under their own names. */
export const SCRIPT_COMMANDS: ReadonlySet<string> = new Set([
  'evalsha',
  'eval',
  'fcall',
  'fcall_ro',
]);

export interface CommandStat {
  calls: number;
  usec: number;
}

/** INFO commandstats: calls and total µs per command since the last CONFIG RESETSTAT. */
export async function commandStats(redis: Redis): Promise<Map<string, CommandStat>> {
  const stats = new Map<string, CommandStat>();
  const info = await redis.info('commandstats');
  for (const m of info.matchAll(/cmdstat_([^:]+):calls=(\d+),usec=(\d+)/g))
    stats.set(m[1] as string, { calls: Number(m[2]), usec: Number(m[3]) });
  return stats;
}

/** Script executions so far (EVAL, EVALSHA, FCALL). */
export async function luaCalls(redis: Redis): Promise<number> {
  let calls = 0;
  for (const [name, stat] of await commandStats(redis))
    if (SCRIPT_COMMANDS.has(name)) calls += stat.calls;
  return calls;
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}
