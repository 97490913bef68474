import {
  AcquireOptionsSchema,
  FilterClauseSchema,
  OutcomeSchema,
  PoolSettingsSchema,
  ProxyFiltersSchema,
  ProxyInputSchema,
  ProxyLabelsSchema,
  parseInput,
  ValidationError,
} from '@leasehold/core';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

// JSON.parse makes `__proto__` an own key, as a config file or an HTTP body would carry it.
const withProto = (json: string): unknown => JSON.parse(json);

/** The fields a ValidationError names for `input`, or [] when it parses. */
function refusedFields(schema: z.ZodType, input: unknown, root = 'input'): string[] {
  try {
    parseInput(schema, input, root);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue) => issue.field);
  }
}

describe('an own __proto__ key', () => {
  it('is refused in a top-level filter, not ignored (which would match everything)', () => {
    expect(refusedFields(ProxyFiltersSchema, withProto('{"__proto__":{"country":"AR"}}'))).toEqual([
      'input.__proto__',
    ]);
    expect(
      refusedFields(ProxyFiltersSchema, withProto('{"country":"AR","__proto__":"AR"}')),
    ).toEqual(['input.__proto__']);
  });

  it('is refused in a clause at every depth, as the bad label name it is', () => {
    const cases = [
      ['{"anyOf":[{"__proto__":"x"}]}', 'input.anyOf[0].__proto__'],
      ['{"allOf":[{"city":"Lima","__proto__":"x"}]}', 'input.allOf[0].__proto__'],
      ['{"noneOf":[{"anyOf":[{"__proto__":"x"}]}]}', 'input.noneOf[0].anyOf[0].__proto__'],
      [
        '{"anyOf":[{"allOf":[{"noneOf":[{"anyOf":[{"__proto__":"x"}]}]}]}]}',
        'input.anyOf[0].allOf[0].noneOf[0].anyOf[0].__proto__',
      ],
    ] as const;
    for (const [json, field] of cases)
      expect(refusedFields(ProxyFiltersSchema, withProto(json))).toEqual([field]);
    expect(refusedFields(FilterClauseSchema, withProto('{"city":"Lima","__proto__":"x"}'))).toEqual(
      ['input.__proto__'],
    );
  });

  it('is refused in labels, alone or beside good ones', () => {
    expect(refusedFields(ProxyLabelsSchema, withProto('{"__proto__":"x"}'))).toEqual([
      'input.__proto__',
    ]);
    expect(
      refusedFields(
        ProxyInputSchema,
        withProto('{"url":"http://10.0.0.1:80","labels":{"city":"Lima","__proto__":"x"}}'),
      ),
    ).toEqual(['input.labels.__proto__']);
  });

  it('is refused as an unknown key by every fixed-shape input, at every level', () => {
    const cases: [z.ZodType, string, string][] = [
      [PoolSettingsSchema, '{"name":"p","__proto__":{"x":1}}', 'input.__proto__'],
      [PoolSettingsSchema, '{"name":"p","cooldown":{"__proto__":{}}}', 'input.cooldown.__proto__'],
      [ProxyInputSchema, '{"url":"http://10.0.0.1:80","__proto__":{}}', 'input.__proto__'],
      [
        ProxyInputSchema,
        '{"url":"http://10.0.0.1:80","location":{"latitude":1,"longitude":1,"__proto__":{}}}',
        'input.location.__proto__',
      ],
      [AcquireOptionsSchema, '{"pool":"p","__proto__":{}}', 'input.__proto__'],
      [
        AcquireOptionsSchema,
        '{"pool":"p","session":{"id":"s","__proto__":{}}}',
        'input.session.__proto__',
      ],
      [
        AcquireOptionsSchema,
        '{"pool":"p","filters":{"near":{"latitude":1,"longitude":1,"radiusKm":1,"__proto__":{}}}}',
        'input.filters.near.__proto__',
      ],
      [OutcomeSchema, '{"ok":true,"__proto__":{}}', 'input.__proto__'],
    ];
    for (const [schema, json, field] of cases)
      expect(refusedFields(schema, withProto(json))).toContain(field);
  });
});
