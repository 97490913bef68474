// A second physical copy of an installed package (and its dependencies, flattened) in a temp
// folder, as when a user's project has its own copy beside ours: its classes are not ours.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PackageCopy {
  /** The copy's main module, imported. */
  module: unknown;
  /** Removes the temp folder. */
  remove(): Promise<void>;
}

/** The folder of package `name` as `fromFile`'s code resolves it. */
function packageDir(name: string, fromFile: string): string {
  const require = createRequire(fromFile);
  return dirname(require.resolve(`${name}/package.json`));
}

/** Copies `name` (resolved from `fromFile`) and everything it depends on, then imports the copy. */
export async function importPackageCopy(name: string, fromFile: string): Promise<PackageCopy> {
  const root = await mkdtemp(join(tmpdir(), 'leasehold-pkgcopy-'));
  const copied = new Set<string>();
  const copy = async (pkg: string, from: string): Promise<void> => {
    if (copied.has(pkg)) return;
    copied.add(pkg);
    const dir = packageDir(pkg, from);
    await cp(dir, join(root, 'node_modules', pkg), { recursive: true, dereference: true });
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies ?? {}))
      await copy(dep, join(dir, 'package.json'));
  };
  try {
    await copy(name, fromFile);
    const main = createRequire(join(root, 'node_modules', 'index.js')).resolve(name);
    return {
      module: await import(pathToFileURL(main).href),
      remove: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
