import { luaLibrary, luaScripts } from '@leasehold/core/internal';
import { describe, expect, it } from 'vitest';
import { testClockLibrary } from './testClock.js';
import { TEST_CLOCK_OFFSET_FIELD } from './testClockLibrary.generated.js';

describe('the test-clock build of the scripts', () => {
  it('is a separate library: its own name and function names, never listed as leasehold_*', () => {
    expect(testClockLibrary.name).toMatch(/^lhtestclock_[0-9a-f]{12}$/);
    expect(testClockLibrary.name).not.toMatch(/^leasehold_/);
    expect(testClockLibrary.source.startsWith(`#!lua name=${testClockLibrary.name}\n`)).toBe(true);
    for (const script of Object.values(luaScripts)) {
      const name = testClockLibrary.functionNames[script.name];
      expect(name).toBe(`lhtc_${testClockLibrary.version}_${script.name}`);
      expect(name).not.toBe(luaLibrary.functionNames[script.name]);
      expect(testClockLibrary.source).toContain(`register('${name}', scripts.${script.name})`);
    }
    expect(testClockLibrary.source).toContain(TEST_CLOCK_OFFSET_FIELD);
  });

  it('leaves no trace in the production library', () => {
    expect(luaLibrary.name).toMatch(/^leasehold_[0-9a-f]{12}$/);
    expect(luaLibrary.source).not.toMatch(/test ?clock|lhtc_|serverNowMs/i);
    expect(luaLibrary.source).not.toContain(TEST_CLOCK_OFFSET_FIELD);
    // One clock read, straight from the server.
    expect(luaLibrary.source.match(/rcall\('TIME'\)/g)).toHaveLength(1);
  });
});
