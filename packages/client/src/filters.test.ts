import { describe, expect, it } from 'vitest';
import { compileFilters } from './filters.js';

describe('compileFilters', () => {
  it('is empty for no filter or an empty one', () => {
    expect(compileFilters(undefined)).toBe('');
    expect(compileFilters({})).toBe('');
  });

  it('reads each hash field once and drives by every positive set', () => {
    const [json, excluded] = compileFilters({
      country: 'AR',
      tags: ['residential'],
      allOf: [{ source: 'oxylabs' }],
      anyOf: [{ city: 'Rosario' }, { country: 'AR', city: 'Cordoba' }],
      noneOf: [{ isp: 'bad' }],
      exclude: ['0123456789abcdef', 'fedcba9876543210'],
    }).split('\n');
    const compiled = JSON.parse(json as string);
    expect(compiled.fields).toEqual([
      'label:country',
      'tag:residential',
      'label:source',
      'label:city',
      'label:isp',
    ]);
    expect(compiled.all).toEqual([
      [1, 'AR'],
      [2, '1'],
      [3, 'oxylabs'],
    ]);
    expect(compiled.any).toEqual([
      [[4, 'Rosario']],
      [
        [1, 'AR'],
        [4, 'Cordoba'],
      ],
    ]);
    expect(compiled.none).toEqual([[[5, 'bad']]]);
    expect(compiled.drive).toEqual(['label:country:AR', 'tag:residential', 'label:source:oxylabs']);
    // Exclusions travel after the cacheable JSON, outside it.
    expect(compiled.exclude).toBeUndefined();
    expect(excluded).toBe('0123456789abcdef,fedcba9876543210');
  });

  it('sends exclusions alone without a filter JSON', () => {
    expect(compileFilters({ exclude: ['0123456789abcdef'] })).toBe('\n0123456789abcdef');
  });
});
