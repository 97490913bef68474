/**
 * Layout rules a reader relies on, checked in `pnpm lint`:
 *   - no import cycle between TypeScript files (type-only imports count: a cycle of types is
 *     still two files that cannot be read one after the other);
 *   - no source file over MAX_LINES lines outside tests and generated code.
 * Prints every violation and exits 1 when there is one.
 *
 *   pnpm check:layout
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 400;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const roots = ['packages', 'scripts', 'examples'];
const skippedDirs = new Set(['node_modules', 'dist', '.turbo', 'coverage', 'test-output']);

const isTest = (file: string): boolean =>
  /\.test\.ts$|\.worker\.ts$|\/test\/|testSupport\.ts$/.test(file);
const isGenerated = (file: string, text: string): boolean =>
  /\.generated\.ts$|\/generated\.ts$/.test(file) || text.startsWith('// Generated');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (skippedDirs.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

// import/export ... from '<spec>', import '<spec>', import('<spec>'); comments stripped first.
const specifierPattern =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function relativeImports(file: string, text: string, known: Set<string>): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const match of code.matchAll(specifierPattern)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (!spec?.startsWith('.')) continue;
    const base = resolve(dirname(file), spec);
    const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
    const target = candidates.find((c) => known.has(c));
    if (target) found.push(target);
  }
  return found;
}

/** Tarjan's strongly connected components: every component of 2+ files is a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) out.push(component);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return out;
}

const files = roots.flatMap((r) => sourceFiles(join(root, r)));
const known = new Set(files);
const graph = new Map<string, string[]>();
const problems: string[] = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  graph.set(file, relativeImports(file, text, known));
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_LINES && !isTest(file) && !isGenerated(file, text)) {
    problems.push(`${relative(root, file)}: ${lines} lines (at most ${MAX_LINES} outside tests)`);
  }
}
for (const component of cycles(graph)) {
  problems.push(
    `import cycle: ${component
      .map((f) => relative(root, f))
      .sort()
      .join(' <-> ')}`,
  );
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`check-layout: ${problem}`);
  process.exit(1);
}
console.log(`check-layout: ${files.length} files, no import cycle, none over ${MAX_LINES} lines`);
