import { ValidationError } from '@leasehold/core';
import { describe, expect, it } from 'vitest';
import { parseInstant } from './instant.js';

describe('--since / --until values', () => {
  const now = 1_760_000_000_000;
  it('takes an ISO date, epoch ms, or a duration ago', () => {
    expect(parseInstant('since', '2025-10-09T08:53:20.000Z', now)).toBe(1_760_000_000_000);
    expect(parseInstant('since', '1760000000000', now)).toBe(1_760_000_000_000);
    expect(parseInstant('since', '90s', now)).toBe(now - 90_000);
    expect(parseInstant('since', '15m', now)).toBe(now - 900_000);
    expect(parseInstant('since', '1.5h', now)).toBe(now - 5_400_000);
    expect(parseInstant('until', '7d', now)).toBe(now - 604_800_000);
  });

  it('names the flag when the value is none of those', () => {
    for (const bad of ['yesterday', '15x', '', '-5']) {
      let error: unknown;
      try {
        parseInstant('until', bad, now);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('--until');
    }
  });
});
