import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildLibrary, LuaLoadError, loadLuaDirectory, parseScript } from './luaLoader.js';

const header = (keys: string[]) =>
  `--[[\n  test\n${keys.map((k, i) => `    KEYS[${i + 1}] ${k} (hash)\n`).join('')}    ARGV[1] x\n  Output:\n    { 1 }\n]]\n`;

const includes: Record<string, string> = {
  'includes/a': '--- @include "includes/b"\nlocal function a() end',
  'includes/b': 'local function b() end',
};
const readInclude = (p: string) => {
  const text = includes[p];
  if (text === undefined) throw new LuaLoadError(`missing include ${p}.lua`);
  return text;
};

describe('parseScript and buildLibrary', () => {
  it('defines each include once, before its first user, and one function per script', () => {
    const library = buildLibrary(
      [
        parseScript('doThing-1.lua', `${header(['pool'])}--- @include "includes/a"\nreturn 1`),
        parseScript('other-1.lua', `${header(['pool'])}--- @include "includes/b"\nreturn 2`),
      ],
      readInclude,
    );
    expect(library.source.startsWith(`#!lua name=leasehold_${library.version}\n`)).toBe(true);
    expect(library.source.match(/local function b\(/g)).toHaveLength(1);
    expect(library.source.indexOf('function b')).toBeLessThan(library.source.indexOf('function a'));
    expect(library.source).not.toMatch(/@include/);
    expect(library.source).toMatch(/function scripts\.doThing\(KEYS, ARGV\)\n[\s\S]*return 1\nend/);
    expect(library.version).toMatch(/^[0-9a-f]{12}$/);
    expect(library.functions.map((f) => [f.name, f.functionName, f.keys])).toEqual([
      ['doThing', `lh_${library.version}_doThing`, ['pool']],
      ['other', `lh_${library.version}_other`, ['pool']],
    ]);
    expect(library.source).toContain(`register('lh_${library.version}_other', scripts.other)`);
  });

  it('rejects include cycles and missing includes', () => {
    const cyclic: Record<string, string> = {
      'includes/a': '--- @include "includes/b"',
      'includes/b': '--- @include "includes/a"',
    };
    const script = parseScript('x-1.lua', `${header(['pool'])}--- @include "includes/a"`);
    expect(() => buildLibrary([script], (p) => cyclic[p] as string)).toThrow(
      /include cycle: includes\/a -> includes\/b -> includes\/a/,
    );
    const missing = parseScript('y-1.lua', `${header(['pool'])}--- @include "includes/zz"`);
    expect(() => buildLibrary([missing], readInclude)).toThrow(/missing include/);
  });

  it('rejects two includes defining the same top-level local (one would shadow the other)', () => {
    const clash: Record<string, string> = {
      'includes/a': 'local LIMIT = 1',
      'includes/b': 'local LIMIT = 2',
    };
    const script = parseScript(
      'x-1.lua',
      `${header(['pool'])}--- @include "includes/a"\n--- @include "includes/b"`,
    );
    expect(() => buildLibrary([script], (p) => clash[p] as string)).toThrow(/LIMIT/);
  });

  it('rejects a header whose KEYS disagree with the file name', () => {
    expect(() => parseScript('x-2.lua', `${header(['pool'])}return 1`)).toThrow(LuaLoadError);
  });

  it('rejects a file name without a key count', () => {
    expect(() => parseScript('x.lua', `${header([])}return 1`)).toThrow(/verbNoun/);
  });
});

describe('lua/ directory', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');

  it('loads every script with a documented header and a unique name', () => {
    const library = loadLuaDirectory(join(root, 'lua'));
    const names = library.functions.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'acquireLease',
        'releaseLease',
        'extendLease',
        'addProxies',
        'removeProxy',
        'upsertPool',
        'reclaimExpired',
        'getPoolStats',
      ]),
    );
    expect(library.source).not.toMatch(/@include/);
  });
});

describe('the library', () => {
  // Lua resolves a name that is not yet a local as a global, which Redis forbids at run
  // time: catch "called before defined" (a missing or misordered include) at build time.
  const BUILTINS = new Set([
    'ipairs',
    'pairs',
    'tonumber',
    'tostring',
    'unpack',
    'type',
    'error',
    'pcall',
    'select',
    'assert',
    'next',
    'setmetatable',
    'rawget',
    'function',
    'return',
    'and',
    'or',
    'not',
    'if',
    'elseif',
    'while',
    'until',
  ]);

  it('define every local function before any call to it', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    const library = loadLuaDirectory(join(root, 'lua'));
    // Each script's function sees the shared code and its own body, not another script's.
    const starts = library.functions.map((f) =>
      library.source.indexOf(`\nfunction scripts.${f.name}(KEYS, ARGV)`),
    );
    const sharedEnd = Math.min(...starts);
    const end = library.source.indexOf('\nlocal function register(');
    for (const [i, script] of library.functions.entries()) {
      const start = starts[i] as number;
      const next = Math.min(end, ...starts.filter((s) => s > start));
      const code = (library.source.slice(0, sharedEnd) + library.source.slice(start, next))
        .replace(/--\[\[[\s\S]*?\]\]/g, '')
        .replace(/--[^\n]*/g, '')
        .replace(/'[^'\n]*'/g, "''");
      const defined = new Map<string, number>();
      for (const m of code.matchAll(/local (?:function )?(\w+)/g)) {
        if (!defined.has(m[1] as string)) defined.set(m[1] as string, m.index ?? 0);
      }
      for (const m of code.matchAll(/(?<![\w.:])(\w+)\s*\(/g)) {
        const name = m[1] as string;
        if (BUILTINS.has(name) || /^\d/.test(name)) continue;
        const at = defined.get(name);
        expect(at, `${script.name}: ${name} is called but never defined`).toBeDefined();
        expect(
          at as number,
          `${script.name}: ${name} is called before it is defined`,
        ).toBeLessThanOrEqual(m.index ?? 0);
      }
    }
  });
});
