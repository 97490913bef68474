import { generatedScripts } from './generated.js';

/**
 * The Lua scripts, flattened at build time. Each is registered under `name:version`
 * (version = hash of its source), so two Leasehold versions sharing one Redis never run
 * each other's scripts.
 */

export type ScriptName = keyof typeof generatedScripts;

export interface LuaScript {
  readonly name: ScriptName;
  readonly version: string;
  readonly numberOfKeys: number;
  /** KEYS names in order, as documented in the script header. */
  readonly keys: readonly string[];
  readonly source: string;
}

export const luaScripts: { readonly [N in ScriptName]: LuaScript } = generatedScripts;

export function scriptId(script: LuaScript): string {
  return `${script.name}:${script.version}`;
}

export const scriptRegistry: ReadonlyMap<string, LuaScript> = new Map(
  Object.values(luaScripts).map((s) => [scriptId(s), s]),
);
