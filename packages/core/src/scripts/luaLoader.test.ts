import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flattenScript, LuaLoadError, loadLuaDirectory } from './luaLoader.js';

const header = (keys: string[]) =>
  `--[[\n  test\n${keys.map((k, i) => `    KEYS[${i + 1}] ${k} (hash)\n`).join('')}    ARGV[1] x\n  Output:\n    { 1 }\n]]\n`;

describe('flattenScript', () => {
  it('inlines each include once, in order', () => {
    const includes: Record<string, string> = {
      'includes/a': '--- @include "includes/b"\nlocal function a() end',
      'includes/b': 'local function b() end',
    };
    const s = flattenScript(
      'doThing-1.lua',
      `${header(['pool'])}--- @include "includes/a"\n--- @include "includes/b"\nreturn 1`,
      (p) => includes[p] as string,
    );
    expect(s.name).toBe('doThing');
    expect(s.keys).toEqual(['pool']);
    expect(s.source.match(/local function b/g)).toHaveLength(1);
    expect(s.source.indexOf('function b')).toBeLessThan(s.source.indexOf('function a'));
    expect(s.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('rejects include cycles', () => {
    const includes: Record<string, string> = {
      'includes/a': '--- @include "includes/b"',
      'includes/b': '--- @include "includes/a"',
    };
    expect(() =>
      flattenScript(
        'x-1.lua',
        `${header(['pool'])}--- @include "includes/a"`,
        (p) => includes[p] as string,
      ),
    ).toThrow(/include cycle: includes\/a -> includes\/b -> includes\/a/);
  });

  it('rejects a header whose KEYS disagree with the file name', () => {
    expect(() => flattenScript('x-2.lua', `${header(['pool'])}return 1`, () => '')).toThrow(
      LuaLoadError,
    );
  });

  it('rejects a file name without a key count', () => {
    expect(() => flattenScript('x.lua', `${header([])}return 1`, () => '')).toThrow(/verbNoun/);
  });
});

describe('lua/ directory', () => {
  it('loads every script with a documented header and a unique name', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
    const scripts = loadLuaDirectory(join(root, 'lua'));
    const names = scripts.map((s) => s.name);
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
    for (const s of scripts) {
      expect(s.source).not.toMatch(/@include/);
      expect(s.source).toMatch(/local rcall = redis\.call/);
    }
  });
});

describe('flattened scripts', () => {
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
    const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
    for (const script of loadLuaDirectory(join(root, 'lua'))) {
      const code = script.source
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
