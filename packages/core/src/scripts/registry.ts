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
  /** What FCALL calls for each script (function names are global to a server). */
  readonly functionNames: { readonly [N in ScriptName]: string };
}

export const luaScripts: { readonly [N in ScriptName]: LuaScript } = generatedScripts;

export const luaLibrary: LuaLibrary = {
  ...generatedLibrary,
  functionNames: Object.fromEntries(
    Object.values(luaScripts).map((s) => [s.name, s.functionName]),
  ) as LuaLibrary['functionNames'],
};

let libraryInUse: LuaLibrary = luaLibrary;

/** The library script runners created from now on load and call: `luaLibrary` unless swapped. */
export function scriptLibraryInUse(): LuaLibrary {
  return libraryInUse;
}

/**
 * Internal, for @leasehold/testing: swap the library for the rest of this process (its
 * test-clock build of the same scripts). Applications have no reason to call it.
 */
export function useScriptLibrary(library: LuaLibrary): void {
  libraryInUse = library;
}
