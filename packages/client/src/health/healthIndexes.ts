import { luaScripts } from '@leasehold/core/internal';
import type { ManagerContext } from '../managerContext.js';

/**
 * Build a pool's healthiest / lowest-latency indexes after upsertPool turned them on, one
 * bounded batch per script call (a 100,000-proxy pool never blocks Redis in one call; the
 * selectors sample until the build is done). Safe to run from several clients at once: the
 * cursor lives in Redis. Returns how many proxies each call indexed.
 */
export async function buildHealthIndexes(
  ctx: ManagerContext,
  pool: string,
  batchSize = ctx.healthIndexBatchSize,
): Promise<number[]> {
  const indexed: number[] = [];
  for (;;) {
    // close() stops the build between batches; the next upsertPool resumes it.
    ctx.throwIfClosed();
    const reply = await ctx.runPoolScript(luaScripts.buildHealthIndexes, pool, [
      ctx.prefix(pool),
      batchSize,
    ]);
    indexed.push(Number(reply[1]));
    if (reply[2] === 1) return indexed;
  }
}
