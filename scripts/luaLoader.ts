import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Build-time loader for lua/: validates each script's name and header and builds one Redis
 * Functions library from all of them. The shared code of lua/includes/ is defined once at
 * the library's top (each include once, in dependency order, cycles rejected) and every
 * script becomes one function of it. Loaded once per server (FUNCTION LOAD) and called with
 * FCALL, so a call no longer pays for defining the ~80 shared functions and constant tables
 * (~10 µs per call as a flattened EVALSHA script). Nothing reads .lua files at run time:
 * scripts/build-lua.ts writes the result into a TypeScript module, and only that module ships
 * in @leasehold/core (this loader is a build tool, kept out of every package).
 */

export interface LoadedScript {
  /** `acquireLease` for `acquireLease-6.lua`. */
  name: string;
  numberOfKeys: number;
  /** KEYS names in order, read from the header (`KEYS[1] pool`). */
  keys: string[];
  /** The includes the script declares it uses, e.g. `includes/leases`. */
  includes: string[];
  /** The script without its include directives: the body of its library function. */
  body: string;
}

export interface LibraryFunction {
  name: string;
  /** What FCALL calls: `lh_<version>_<name>` (function names are global to a server). */
  functionName: string;
  numberOfKeys: number;
  keys: string[];
}

export interface LuaLibrary {
  /** `leasehold_<version>`: two Leasehold versions sharing one Redis never mix code. */
  name: string;
  /** First 12 hex digits of the SHA-1 of the library's code. */
  version: string;
  source: string;
  functions: LibraryFunction[];
}

const FILE_NAME = /^([a-z][A-Za-z]*)-(\d+)\.lua$/;
const INCLUDE = /^--- @include "([^"]+)"\s*$/gm;
const KEY_LINE = /^\s*KEYS\[(\d+)\]\s+([A-Za-z][A-Za-z0-9]*)/gm;
const VERSION_PLACEHOLDER = '@@VERSION@@';

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

/** Parse and validate one script file. Exposed separately so it can be tested without files. */
export function parseScript(fileName: string, source: string): LoadedScript {
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
  const includes = [...source.matchAll(INCLUDE)].map((m) => m[1] as string);
  return { name, numberOfKeys, keys, includes, body: source.replace(INCLUDE, '').trim() };
}

/**
 * One library: the includes every script declares, each once and before its first user,
 * then one function per script (KEYS and ARGV become its parameters, so a script's
 * text reads the same as an EVAL script), then the registrations.
 */
export function buildLibrary(
  scripts: LoadedScript[],
  readInclude: (includePath: string) => string,
): LuaLibrary {
  const names = new Set<string>();
  for (const s of scripts) {
    if (names.has(s.name)) throw new LuaLoadError(`two scripts are named ${s.name}`);
    names.add(s.name);
  }
  const done = new Set<string>();
  const shared = scripts
    .map((s) =>
      inlineIncludes(
        `${s.name}.lua`,
        s.includes.map((i) => `--- @include "${i}"`).join('\n'),
        readInclude,
        [],
        done,
      ),
    )
    .join('\n');
  assertUniqueTopLevelLocals(shared);
  const functions = scripts.map((s) => ({
    name: s.name,
    functionName: `lh_${VERSION_PLACEHOLDER}_${s.name}`,
    numberOfKeys: s.numberOfKeys,
    keys: s.keys,
  }));
  const template = [
    `#!lua name=leasehold_${VERSION_PLACEHOLDER}`,
    '-- Generated by scripts/build-lua.ts from lua/ (one function per script). Do not edit.',
    '',
    '-- redis.call exists only while a function runs, not while the library loads: each',
    '-- registered function binds it on entry (see register below).',
    'local rcall',
    '',
    shared,
    '',
    '-- The scripts, in a table: as locals, acquireLease would shadow a shared function of the',
    '-- same name for every script after it (reclaimExpired is both).',
    'local scripts = {}',
    '',
    ...scripts.map((s) => `function scripts.${s.name}(KEYS, ARGV)\n${s.body}\nend\n`),
    'local function register(name, script)',
    '  redis.register_function(name, function(keys, args)',
    '    rcall = redis.call',
    '    return script(keys, args)',
    '  end)',
    'end',
    ...functions.map((f) => `register('${f.functionName}', scripts.${f.name})`),
    '',
  ].join('\n');
  const version = createHash('sha1').update(template).digest('hex').slice(0, 12);
  const withVersion = (text: string) => text.replaceAll(VERSION_PLACEHOLDER, version);
  return {
    name: withVersion(`leasehold_${VERSION_PLACEHOLDER}`),
    version,
    source: withVersion(template),
    functions: functions.map((f) => ({ ...f, functionName: withVersion(f.functionName) })),
  };
}

// All includes share one chunk in the library: a second top-level `local x` would silently
// shadow the first for every later include, so two includes may not define the same name.
function assertUniqueTopLevelLocals(shared: string): void {
  const seen = new Set<string>();
  for (const m of shared.matchAll(/^local (?:function )?(\w+)/gm)) {
    const name = m[1] as string;
    if (seen.has(name)) throw new LuaLoadError(`two includes define a top-level local ${name}`);
    seen.add(name);
  }
}

/**
 * Every `<verbNoun>-<numKeys>.lua` in a directory, parsed, and the reader of its includes
 * (relative to it): what buildLibrary takes. Separate from loadLuaDirectory so a tool can
 * add a script of its own to the library (pnpm bench:pieces).
 */
export function readLuaDirectory(dir: string): {
  scripts: LoadedScript[];
  readInclude: (includePath: string) => string;
} {
  const readInclude = (includePath: string): string => {
    try {
      return readFileSync(join(dir, `${includePath}.lua`), 'utf8');
    } catch {
      throw new LuaLoadError(`missing include ${includePath}.lua`);
    }
  };
  const scripts = readdirSync(dir)
    .filter((f) => f.endsWith('.lua'))
    .sort()
    .map((f) => parseScript(f, readFileSync(join(dir, f), 'utf8')));
  return { scripts, readInclude };
}

/** The library built from every script in a directory. */
export function loadLuaDirectory(dir: string): LuaLibrary {
  const { scripts, readInclude } = readLuaDirectory(dir);
  return buildLibrary(scripts, readInclude);
}
