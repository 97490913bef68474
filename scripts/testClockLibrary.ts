/**
 * The test-clock build of the Functions library, for @leasehold/testing's TestClock: the same
 * scripts, but the server time every script reads (nowMs) adds the offset stored in the
 * pool's hash, so a test can move one pool's clock forward instead of sleeping. Made from the
 * production library by a few checked text substitutions; the production library itself
 * never contains any of it (packages/testing/src/testClock.test.ts asserts that).
 *
 * Its library and function names differ from the production ones (`lhtestclock_<version>`,
 * `lhtc_<version>_<name>`; not `leasehold_*`, so `leasehold functions` never lists or deletes
 * it), so both can be loaded on one server while test files run side by side.
 */
import { createHash } from 'node:crypto';

/** The pool-hash field holding a pool's clock offset in ms (test build only). */
export const TEST_CLOCK_OFFSET_FIELD = 'testClockOffsetMs';

export interface BuiltLibrary {
  name: string;
  version: string;
  source: string;
  functions: { name: string; functionName: string }[];
}

export interface TestClockLibrary {
  name: string;
  version: string;
  source: string;
  functionNames: Record<string, string>;
}

// Every key of a pool starts with `<prefix>:{<pool>}:`; the pool's hash is `<that>pool`.
// extendLease declares only leaseDeadlines: reading the pool hash there is an undeclared key
// of the same slot (hash tag), which Redis Cluster allows; only this build does it.
const CLOCK_PRELUDE = `-- TEST BUILD ONLY (@leasehold/testing TestClock): nowMs adds the offset stored in the
-- pool hash's ${TEST_CLOCK_OFFSET_FIELD} field. The production library has none of this.
local testClockPoolKey

local function testClockPoolKeyOf(key)
  local poolPrefix = type(key) == 'string' and string.match(key, '^[^{]*{[^}]*}:')
  return poolPrefix and (poolPrefix .. 'pool') or nil
end
`;

const CLOCK_NOW = `
local function nowMs()
  local offset = testClockPoolKey and rcall('HGET', testClockPoolKey, '${TEST_CLOCK_OFFSET_FIELD}')
  return serverNowMs() + (tonumber(offset) or 0)
end
`;

/** Replace `from` by `to`, `count` times exactly: a library that changed shape fails loudly. */
function replaceExactly(source: string, from: string, to: string, count = 1): string {
  const found = source.split(from).length - 1;
  if (found !== count) {
    throw new Error(
      `test-clock build: expected ${count} × ${JSON.stringify(from)}, found ${found}`,
    );
  }
  return source.replaceAll(from, to);
}

/** `nowMsInclude`: the text of lua/includes/nowMs.lua, as inlined in the library. */
export function buildTestClockLibrary(
  library: BuiltLibrary,
  nowMsInclude: string,
): TestClockLibrary {
  const PLACEHOLDER = '@@TESTCLOCK_VERSION@@';
  const functionNameOf = (name: string) => `lhtc_${PLACEHOLDER}_${name}`;
  let source = replaceExactly(
    library.source,
    `#!lua name=${library.name}\n`,
    `#!lua name=lhtestclock_${PLACEHOLDER}\n`,
  );
  for (const f of library.functions)
    source = replaceExactly(source, `'${f.functionName}'`, `'${functionNameOf(f.name)}'`);
  source = replaceExactly(
    source,
    nowMsInclude,
    CLOCK_PRELUDE +
      replaceExactly(nowMsInclude, 'local function nowMs()', 'local function serverNowMs()') +
      CLOCK_NOW,
  );
  source = replaceExactly(
    source,
    '    rcall = redis.call\n',
    '    rcall = redis.call\n    testClockPoolKey = testClockPoolKeyOf(keys[1])\n',
  );
  const version = createHash('sha1').update(source).digest('hex').slice(0, 12);
  const withVersion = (text: string) => text.replaceAll(PLACEHOLDER, version);
  return {
    name: `lhtestclock_${version}`,
    version,
    source: withVersion(source),
    functionNames: Object.fromEntries(
      library.functions.map((f) => [f.name, withVersion(functionNameOf(f.name))]),
    ),
  };
}
