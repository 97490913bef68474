import { createHash } from 'node:crypto';
import { type LuaScript, type PoolKeys, scriptId } from '@leasehold/core';
import type { Cluster, Redis } from 'ioredis';

/**
 * Runs the flattened Lua scripts with EVALSHA. NOSCRIPT (a restarted or flushed Redis, or a
 * cluster node that has not seen the script yet) is normal: fall back to EVAL, which also
 * caches the script for the next call. The KEYS come from the pool's key set by the names
 * the script header declares, so a script and its caller cannot disagree on key order.
 */
export class ScriptRunner {
  private readonly shas = new Map<string, string>();

  constructor(private readonly redis: Redis | Cluster) {}

  async run(
    script: LuaScript,
    keys: PoolKeys,
    args: readonly (string | number)[],
  ): Promise<unknown[]> {
    const keyValues = script.keys.map((name) => {
      const key = keys[name as keyof PoolKeys];
      if (key === undefined) throw new Error(`script ${script.name} wants unknown key ${name}`);
      return key;
    });
    const sha = this.sha(script);
    try {
      return (await this.redis.evalsha(sha, keyValues.length, ...keyValues, ...args)) as unknown[];
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return (await this.redis.eval(
        script.source,
        keyValues.length,
        ...keyValues,
        ...args,
      )) as unknown[];
    }
  }

  private sha(script: LuaScript): string {
    const id = scriptId(script);
    let sha = this.shas.get(id);
    if (sha === undefined) {
      sha = sha1(script.source);
      this.shas.set(id, sha);
    }
    return sha;
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

// NOSCRIPT is the protocol's error code (first word of the reply), not a message.
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
