import { generatedLibrary, generatedScripts } from './generated.js';

/**
 * The Lua scripts, built at build time into one Redis Functions library named
 * `leasehold_<version>` (version = hash of its code); each script is one function of it,
 * `lh_<version>_<name>`, so two Leasehold versions sharing one Redis never run each other's
 * code.
 */

export type ScriptName = keyof typeof generatedScripts;

export interface LuaScript {
  readonly name: ScriptName;
  /** The name FCALL calls. */
  readonly functionName: string;
  readonly numberOfKeys: number;
  /** KEYS names in order, as documented in the script header. */
  readonly keys: readonly string[];
}

export interface LuaLibrary {
  readonly name: string;
  readonly version: string;
  /** What FUNCTION LOAD takes. */
  readonly source: string;
}

export const luaLibrary: LuaLibrary = generatedLibrary;

export const luaScripts: { readonly [N in ScriptName]: LuaScript } = generatedScripts;
