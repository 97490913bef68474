// A clock a test can move: instead of sleeping until a lease expires, a cooldown ends or a
// session ages, the test moves one pool's server time forward.
//
//   useTestClockLibrary();                      // top of the test file, before any manager
//   const clock = TestClock.forPool(ctx.redis(), manager.keys, pool);
//   await clock.advance(61_000);                // every script of that pool now reads +61 s
//
// How: the scripts read the server time in one place (lua/includes/nowMs.lua). The build also
// makes a test-only copy of the Functions library whose nowMs adds the offset stored in the
// pool's hash (scripts/testClockLibrary.ts); useTestClockLibrary() makes every ScriptRunner
// created afterwards in this process (ProxyManagers, in-process workers) run that copy. The
// offset lives in Redis, per pool, so test files running side by side on one server never
// see each other's clocks, and it survives a FUNCTION FLUSH.
import { type KeySchema, scriptLibraryInUse, useScriptLibrary } from '@leasehold/core/internal';
import type { RedisClient } from './redisTarget.js';
import { TEST_CLOCK_OFFSET_FIELD, testClockLibrary } from './testClockLibrary.generated.js';

/** Run the test-clock build of the scripts in this process (call before creating managers). */
export function useTestClockLibrary(): void {
  useScriptLibrary(testClockLibrary);
}

export { testClockLibrary };

// Moving the clock of a pool that does not exist would create its hash, and the pool would
// then look created without any settings: refuse instead.
const ADVANCE = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('TestClock: no pool at ' .. KEYS[1] .. ' (create it first)')
end
if ARGV[2] == 'set' then
  redis.call('HSET', KEYS[1], '${TEST_CLOCK_OFFSET_FIELD}', ARGV[1])
  return tonumber(ARGV[1])
end
return redis.call('HINCRBY', KEYS[1], '${TEST_CLOCK_OFFSET_FIELD}', ARGV[1])`;

export class TestClock {
  private constructor(
    private readonly redis: RedisClient,
    /** The pool's hash, where the offset is kept. */
    readonly poolKey: string,
  ) {}

  /** The clock of one existing pool; `keys` is the manager's key schema (`manager.keys`). */
  static forPool(redis: RedisClient, keys: KeySchema, pool: string): TestClock {
    if (scriptLibraryInUse().name !== testClockLibrary.name) {
      throw new Error(
        'TestClock: the scripts ignore it; call useTestClockLibrary() at the top of the test file',
      );
    }
    return new TestClock(redis, keys.poolKeys(pool).pool);
  }

  /** Move the pool's time forward by `ms` (whole milliseconds); returns the new offset. */
  async advance(ms: number): Promise<number> {
    return this.move(ms, 'add');
  }

  /** Put the pool's time `offsetMs` ahead of the server's real time (0 = real time). */
  async setOffset(offsetMs: number): Promise<number> {
    return this.move(offsetMs, 'set');
  }

  /** How far ahead of the server's real time the pool's scripts are, in ms. */
  async offset(): Promise<number> {
    return Number((await this.redis.hget(this.poolKey, TEST_CLOCK_OFFSET_FIELD)) ?? 0);
  }

  private async move(ms: number, how: 'add' | 'set'): Promise<number> {
    if (!Number.isSafeInteger(ms)) throw new Error(`TestClock: ${ms} is not a whole number of ms`);
    return Number(await this.redis.eval(ADVANCE, 1, this.poolKey, ms, how));
  }
}
