// Run by scripts/check-tarballs.sh inside the npm project that installed the tarballs:
// every package a published file imports (JavaScript and .d.ts) must be a Node builtin or
// listed in that package's own dependencies or peerDependencies. npm hoists, so an import
// missing from package.json could still resolve there by luck; this says so by name.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

// Static imports and re-exports start a line in tsc's output (a multi-line import list has no
// `;` before its `from`); dynamic import() and .d.ts `import("x").T` may sit anywhere. Anchoring
// the static forms keeps strings (the Lua library's source) from looking like imports.
const SPECIFIER =
  /^(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
const builtins = new Set(builtinModules);

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(m?js|d\.ts)$/.test(name)) yield path;
  }
}

const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

let problems = 0;
for (const name of process.argv.slice(2)) {
  const root = join('node_modules', name);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const used = new Set();
  const problemsBefore = problems;
  for (const dir of ['dist', 'bin']) {
    let entries;
    try {
      entries = [...files(join(root, dir))];
    } catch {
      continue;
    }
    for (const file of entries) {
      for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
        const specifier = match[1] ?? match[2] ?? match[3];
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const pkg = packageOf(specifier);
        if (builtins.has(pkg)) continue;
        used.add(pkg);
        if (!declared.has(pkg)) {
          problems += 1;
          console.error(`  FAIL ${name}: ${file} imports ${specifier}, not in its dependencies`);
        }
      }
    }
  }
  if (problems === problemsBefore)
    console.log(`  ok   ${name} imports only declared packages: ${[...used].sort().join(', ')}`);
}
if (problems > 0) process.exit(1);
