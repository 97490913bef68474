/**
 * `@leasehold/core/internal`: the plumbing Leasehold's own packages share — the Redis key
 * schema, the Lua script registry (and the test harness's swap of it) and the scripts'
 * result codes. NOT a public API: it changes in any release without notice. Applications
 * import from `@leasehold/core` (or `@leasehold/client`) only.
 */
export {
  DEFAULT_PREFIX,
  KeySchema,
  labelSetSuffix,
  POOL_KEY_NAMES,
  type PoolKeyName,
  type PoolKeys,
  tagSetSuffix,
} from './keys.js';
export { secondsToMs } from './schemas/parseInput.js';
export { errorForScriptCode, ScriptCode, type ScriptFailureContext } from './scriptCodes.js';
export {
  type LuaLibrary,
  type LuaScript,
  luaLibrary,
  luaScripts,
  type ScriptName,
  scriptLibraryInUse,
  useScriptLibrary,
} from './scripts/registry.js';
export {
  AllowedHosts,
  bindHostSchema,
  type HostAndPort,
  isLoopback,
  parseHostHeader,
  sameSecret,
  serverTokenSchema,
} from './serving.js';
