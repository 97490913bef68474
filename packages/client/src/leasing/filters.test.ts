import { describe, expect, it } from 'vitest';
import { compileFilters } from './filters.js';
import { geoCover } from './geoCover.js';

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
    // allOf folds into the root; anyOf is one group of nodes; noneOf lists nodes.
    expect(compiled.all).toEqual([
      [1, 'AR'],
      [2, '1'],
      [3, 'oxylabs'],
    ]);
    expect(compiled.any).toEqual([
      [
        { all: [[4, 'Rosario']] },
        {
          all: [
            [1, 'AR'],
            [4, 'Cordoba'],
          ],
        },
      ],
    ]);
    expect(compiled.none).toEqual([{ all: [[5, 'bad']] }]);
    expect(compiled.drive).toEqual(['label:country:AR', 'tag:residential', 'label:source:oxylabs']);
    // Exclusions travel after the cacheable JSON, outside it.
    expect(compiled.exclude).toBeUndefined();
    expect(excluded).toBe('0123456789abcdef,fedcba9876543210');
  });

  it('compiles any label name, nested trees and near (radius in metres)', () => {
    const compiled = JSON.parse(
      compileFilters({
        provider: 'acme',
        near: { latitude: -34.6, longitude: -58.4, radiusKm: 25 },
        anyOf: [{ tier: 'gold' }, { allOf: [{ tier: 'silver' }, { noneOf: [{ asn: '7' }] }] }],
      }),
    );
    expect(compiled.fields).toEqual([
      'label:provider',
      'latitude',
      'longitude',
      'label:tier',
      'label:asn',
    ]);
    expect(compiled.near).toEqual([[2, 3, -34.6, -58.4, 25_000]]);
    expect(compiled.geo).toEqual([-34.6, -58.4, 25]);
    expect(compiled.drive).toEqual(['label:provider:acme']);
    // Driven by the label set: no geohash cover.
    expect(compiled.cover).toBeUndefined();
    expect(compiled.any).toEqual([
      [{ all: [[4, 'gold']] }, { all: [[4, 'silver']], none: [{ all: [[5, '7']] }] }],
    ]);
    // A near below the root is checked per candidate, not searched in the geo index.
    const nested = JSON.parse(
      compileFilters({ anyOf: [{ near: { latitude: 1, longitude: 2, radiusKm: 3 } }] }),
    );
    expect(nested.geo).toBeUndefined();
    expect(nested.any).toEqual([[{ all: [], near: [[1, 2, 1, 2, 3000]] }]]);
  });

  it('gives a geo-only filter the score intervals of its geohash cover, in order', () => {
    const near = { latitude: -34.6, longitude: -58.4, radiusKm: 25 };
    const compiled = JSON.parse(compileFilters({ near, noneOf: [{ tier: 'x' }] }));
    expect(compiled.drive).toEqual([]);
    expect(compiled.cover).toEqual(geoCover(near.latitude, near.longitude, near.radiusKm));
    expect(compiled.cover.length).toBeGreaterThanOrEqual(2);
    expect(compiled.cover.every(Number.isSafeInteger)).toBe(true);
    // The smallest root radius is the one covered.
    const both = JSON.parse(
      compileFilters({ near: { ...near, radiusKm: 500 }, allOf: [{ near }] }),
    );
    expect(both.cover).toEqual(compiled.cover);
  });

  it('sends exclusions alone without a filter JSON', () => {
    expect(compileFilters({ exclude: ['0123456789abcdef'] })).toBe('\n0123456789abcdef');
  });
});
