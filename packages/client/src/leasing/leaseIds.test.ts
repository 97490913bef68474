import { describe, expect, it } from 'vitest';
import { newLeaseId } from './leaseIds.js';

describe('lease ids', () => {
  it('are 12 base64url characters, unique, and never start with "-" (a CLI option)', () => {
    // 1 in 64 raw ids starts with '-': 20,000 ids hold ~300 of them before the fold.
    const ids = Array.from({ length: 20_000 }, newLeaseId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{11}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
