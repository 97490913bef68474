import type { ManagerContext } from '../managerContext.js';
import type { ScriptLibrary } from '../scriptRunner.js';

/**
 * The Leasehold script libraries on the server (`leasehold_<version>`, one per Leasehold
 * version that has run against it), this client's first.
 */
export function scriptLibraries(ctx: ManagerContext): Promise<ScriptLibrary[]> {
  return ctx.scripts.libraries();
}

/**
 * Delete the libraries of other Leasehold versions, on every master; returns their names.
 * Safe while older clients still run: they load their own version again on their next call.
 */
export function deleteOtherScriptLibraries(ctx: ManagerContext): Promise<string[]> {
  return ctx.scripts.deleteOtherVersions();
}
