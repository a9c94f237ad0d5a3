import { describe, expect, it } from 'vitest';
import { adobeColumnType, NORMALIZED_TYPES, normalizedTypeOf } from './types.ts';

describe("explore's column types", () => {
  it("shows dates and timestamps as Adobe's string, every other type as itself", () => {
    expect(NORMALIZED_TYPES.map(adobeColumnType)).toEqual([
      'string',
      'boolean',
      'integer',
      'long',
      'double',
      'decimal',
      'string',
      'string',
      'binary',
    ]);
  });

  it("reads back Adobe's shape and Sluice's own, and nothing else", () => {
    expect(normalizedTypeOf({ type: 'string', 'meta:xdmType': 'date-time' })).toBe('date-time');
    expect(normalizedTypeOf({ type: 'string', 'meta:xdmType': 'date' })).toBe('date');
    expect(normalizedTypeOf({ type: 'string', 'meta:xdmType': 'string' })).toBe('string');
    expect(normalizedTypeOf({ type: 'string' })).toBe('string');
    expect(normalizedTypeOf({ type: 'date-time' })).toBe('date-time');
    expect(normalizedTypeOf({ type: 'long', 'meta:xdmType': 'date' })).toBe('long');
    expect(normalizedTypeOf({ type: 'timestamp' })).toBeUndefined();
    expect(normalizedTypeOf({})).toBeUndefined();
  });

  it('round-trips every normalized type through the explore shape', () => {
    for (const type of NORMALIZED_TYPES) {
      const shown = {
        type: adobeColumnType(type),
        ...(type.startsWith('date') ? { 'meta:xdmType': type } : {}),
      };
      expect(normalizedTypeOf(shown)).toBe(type);
    }
  });
});
