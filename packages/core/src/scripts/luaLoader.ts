import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Build-time loader for lua/: validates each script's name and header, inlines
 * `--- @include "includes/<name>"` directives (each include once, cycles rejected) and
 * returns flattened sources. Nothing reads .lua files at run time: scripts/build-lua.ts
 * writes the result into a TypeScript module.
 */

export interface LoadedScript {
  /** `acquireLease` for `acquireLease-6.lua`. */
  name: string;
  numberOfKeys: number;
  /** KEYS names in order, read from the header (`KEYS[1] pool`). */
  keys: string[];
  source: string;
  /** First 12 hex digits of the SHA-1 of the flattened source; scripts register as name:version. */
  version: string;
}

const FILE_NAME = /^([a-z][A-Za-z]*)-(\d+)\.lua$/;
const INCLUDE = /^--- @include "([^"]+)"\s*$/gm;
const KEY_LINE = /^\s*KEYS\[(\d+)\]\s+([A-Za-z][A-Za-z0-9]*)/gm;

export class LuaLoadError extends Error {
  override name = 'LuaLoadError';
}

function inlineIncludes(
  file: string,
  source: string,
  readInclude: (includePath: string) => string,
  stack: string[],
  done: Set<string>,
): string {
  return source.replace(INCLUDE, (_line, includePath: string) => {
    if (stack.includes(includePath)) {
      throw new LuaLoadError(`include cycle: ${[...stack, includePath].join(' -> ')} (in ${file})`);
    }
    if (done.has(includePath)) return `-- (${includePath} already included)`;
    done.add(includePath);
    const body = readInclude(includePath);
    return inlineIncludes(file, body, readInclude, [...stack, includePath], done);
  });
}

/** Parse and flatten one script. Exposed separately so it can be tested without files. */
export function flattenScript(
  fileName: string,
  source: string,
  readInclude: (includePath: string) => string,
): LoadedScript {
  const match = FILE_NAME.exec(fileName);
  if (!match) throw new LuaLoadError(`${fileName}: name must be <verbNoun>-<numKeys>.lua`);
  const name = match[1] as string;
  const numberOfKeys = Number(match[2]);

  const header = /^--\[\[([\s\S]*?)\]\]/.exec(source);
  if (!header) throw new LuaLoadError(`${fileName}: must open with a --[[ ... ]] header`);
  const keys: string[] = [];
  for (const [, index, keyName] of (header[1] as string).matchAll(KEY_LINE)) {
    if (Number(index) !== keys.length + 1) {
      throw new LuaLoadError(`${fileName}: header lists KEYS[${index}] out of order`);
    }
    keys.push(keyName as string);
  }
  if (keys.length !== numberOfKeys) {
    throw new LuaLoadError(
      `${fileName}: header documents ${keys.length} KEYS but the name says ${numberOfKeys}`,
    );
  }
  for (const section of ['ARGV[1]', 'Output:']) {
    if (!(header[1] as string).includes(section)) {
      throw new LuaLoadError(`${fileName}: header must document ${section}`);
    }
  }

  const flattened = inlineIncludes(fileName, source, readInclude, [], new Set());
  const version = createHash('sha1').update(flattened).digest('hex').slice(0, 12);
  return { name, numberOfKeys, keys, source: flattened, version };
}

/** Load every `<verbNoun>-<numKeys>.lua` in a directory; includes resolve relative to it. */
export function loadLuaDirectory(dir: string): LoadedScript[] {
  const readInclude = (includePath: string): string => {
    try {
      return readFileSync(join(dir, `${includePath}.lua`), 'utf8');
    } catch {
      throw new LuaLoadError(`missing include ${includePath}.lua`);
    }
  };
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.lua'))
    .sort();
  const scripts = files.map((f) =>
    flattenScript(f, readFileSync(join(dir, f), 'utf8'), readInclude),
  );
  const names = new Set<string>();
  for (const s of scripts) {
    if (names.has(s.name)) throw new LuaLoadError(`two scripts are named ${s.name}`);
    names.add(s.name);
  }
  return scripts;
}
