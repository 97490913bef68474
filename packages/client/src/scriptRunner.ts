import {
  type LuaLibrary,
  type LuaScript,
  type PoolKeys,
  scriptLibraryInUse,
} from '@leasehold/core/internal';
import type { Cluster, Redis } from 'ioredis';
import { withTypedErrors } from './redis/managerConnections.js';

/**
 * Runs the Lua scripts as functions of one Redis Functions library (FCALL). "Function not
 * found" (a new, restarted or flushed Redis, or a cluster master that has not seen the
 * library yet) is normal: load the library (on every master of a cluster, once however many
 * calls hit it at the same moment) and call again. The KEYS come from the pool's key set by
 * the names the script header declares, so a script and its caller cannot disagree on key
 * order.
 */
export class ScriptRunner {
  private loading: Promise<void> | null = null;
  private nextConnection = 0;
  /** The first connection; libraries are loaded and listed through it. */
  private readonly redis: Redis | Cluster;

  /**
   * `connections`: calls are spread over them round-robin (they all reach one server).
   * `library`: the production one unless a test swapped in its test-clock build.
   */
  constructor(
    private readonly connections: readonly (Redis | Cluster)[],
    private readonly library: LuaLibrary = scriptLibraryInUse(),
  ) {
    if (connections.length === 0) throw new Error('ScriptRunner needs a connection');
    this.redis = connections[0] as Redis | Cluster;
  }

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
    const connection = this.connections[this.nextConnection++ % this.connections.length] as
      | Redis
      | Cluster;
    const functionName = this.library.functionNames[script.name];
    const call = () =>
      connection.fcall(functionName, keyValues.length, ...keyValues, ...args) as Promise<unknown[]>;
    try {
      return await call();
    } catch (error) {
      if (!isFunctionNotFound(error)) throw error;
      await this.loadLibrary();
      return await call();
    }
  }

  /** FUNCTION LOAD on the server (every master of a cluster); shared by concurrent callers. */
  loadLibrary(): Promise<void> {
    if (this.loading === null) {
      this.loading = Promise.all(this.masters().map((node) => this.loadOn(node)))
        .then(() => undefined)
        .finally(() => {
          this.loading = null;
        });
    }
    return this.loading;
  }

  /** Leasehold libraries on the server (every master of a cluster), this version's first. */
  async libraries(): Promise<ScriptLibrary[]> {
    const found = new Map<string, number>();
    for (const node of this.masters()) {
      for (const name of await leaseholdLibrariesOn(node))
        found.set(name, (found.get(name) ?? 0) + 1);
    }
    return [...found]
      .map(([name, nodes]) => ({ name, current: name === this.library.name, nodes }))
      .sort((a, b) => Number(b.current) - Number(a.current) || a.name.localeCompare(b.name));
  }

  /**
   * Delete the Leasehold libraries of other versions (left behind by upgrades). Safe while an
   * older client still runs: it gets "Function not found" and loads its own again.
   */
  async deleteOtherVersions(): Promise<string[]> {
    const deleted = new Set<string>();
    for (const node of this.masters()) {
      for (const name of await leaseholdLibrariesOn(node)) {
        if (name === this.library.name) continue;
        await node.function('DELETE', name);
        deleted.add(name);
      }
    }
    return [...deleted].sort();
  }

  private masters(): Redis[] {
    // Cluster nodes come raw from ioredis: give them typed errors like every other command.
    return 'nodes' in this.redis ? this.redis.nodes('master').map(withTypedErrors) : [this.redis];
  }

  private async loadOn(node: Redis): Promise<void> {
    try {
      await node.function('LOAD', this.library.source);
    } catch (error) {
      // Another client loaded the same version first: that is what we wanted.
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
    }
  }
}

export interface ScriptLibrary {
  name: string;
  /** The library this client runs. */
  current: boolean;
  /** On how many masters it is loaded. */
  nodes: number;
}

// FUNCTION LIST answers, per library, a flat list: library_name, <name>, engine, LUA, ...
async function leaseholdLibrariesOn(node: Redis): Promise<string[]> {
  const listed = (await node.function('LIST', 'LIBRARYNAME', 'leasehold_*')) as unknown[][];
  return listed.map((entry) => String(entry[entry.indexOf('library_name') + 1]));
}

function isFunctionNotFound(error: unknown): boolean {
  return error instanceof Error && /^ERR Function not found/i.test(error.message);
}
