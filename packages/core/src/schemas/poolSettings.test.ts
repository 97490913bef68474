import { PoolSettingsSchema, parseInput, poolNameSchema, ValidationError } from '@leasehold/core';
import { describe, expect, it } from 'vitest';

function issueOf(schema: Parameters<typeof parseInput>[0], input: unknown, root: string) {
  try {
    parseInput(schema, input, root);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues[0];
  }
  return undefined;
}

describe('pool settings', () => {
  it('refuses pool names that URLs and file systems read as directories', () => {
    for (const name of ['.', '..', '...'])
      expect(issueOf(poolNameSchema, name, 'pool'), name).toEqual({
        field: 'pool',
        message: 'must not be only dots',
      });
    for (const name of ['a.b', '.latam', 'latam..', '-', 'x'.repeat(64)])
      expect(parseInput(poolNameSchema, name, 'pool')).toBe(name);
  });

  it('says why a health check timeout longer than its interval is refused', () => {
    const issue = issueOf(
      PoolSettingsSchema,
      { name: 'p', healthCheck: { url: 'http://h/', intervalSeconds: 5, timeoutSeconds: 10 } },
      'pool',
    );
    expect(issue?.field).toBe('pool.healthCheck.timeoutSeconds');
    expect(issue?.message).toMatch(/^must be at most intervalSeconds \(a probe must end before/);
    const ok = { url: 'http://h/', intervalSeconds: 10, timeoutSeconds: 10 };
    expect(parseInput(PoolSettingsSchema, { name: 'p', healthCheck: ok }).healthCheck).toEqual(ok);
  });
});
