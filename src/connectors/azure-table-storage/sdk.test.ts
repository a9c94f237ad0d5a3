import { describe, expect, it } from 'vitest';
import { seeded } from '../../../test/support/seeded.ts';
import { hasAmbiguousNumbers } from './sdk.ts';

/** The SDK's guess for an unannotated number (disableTypeConversion): every safe integer is Int32. */
const sdkGuess = (text: string): string => (Number.isSafeInteger(Number(text)) ? 'Int32' : 'Double');
/** The service's meaning: integral text within Int32's range is Int32, any other number a Double. */
const serviceType = (text: string): string => {
  const n = Number(text);
  return /^-?\d+$/.test(text) && n >= -2_147_483_648 && n <= 2_147_483_647 ? 'Int32' : 'Double';
};

describe('hasAmbiguousNumbers (the fast path of the EDM-type policy)', () => {
  it('flags the number forms the SDK would type differently, and not text inside strings', () => {
    expect(hasAmbiguousNumbers('{"value":[{"a":3.0}]}')).toBe(true);
    expect(hasAmbiguousNumbers('{"a":1e3,"b":"x"}')).toBe(true);
    expect(hasAmbiguousNumbers('{"a": -1234567890 }')).toBe(true);
    expect(hasAmbiguousNumbers('{"t":"2024-01-01T00:00:00.000Z","x":0.5,"n":-12}')).toBe(false);
    expect(
      hasAmbiguousNumbers('{"id":"00000000-0000-4000-8000-000000000001","big":"9007199254740993"}'),
    ).toBe(false);
  });

  it('whenever it says no, the SDK types every number as the service meant', () => {
    const { next, digits } = seeded(11);
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      const int = String(Number(digits(1 + next(12))));
      const forms = [
        int,
        `${int}.0`,
        `${int}.${digits(1 + next(3))}`,
        `${int}e${next(5)}`,
        `${int}.5E-${next(3)}`,
      ];
      const text = `${next(2) === 0 ? '-' : ''}${forms[next(forms.length)] ?? int}`;
      if (hasAmbiguousNumbers(`{"v":${text},"w":1}`)) continue;
      checked += 1;
      expect(sdkGuess(text), text).toBe(serviceType(text));
    }
    expect(checked).toBeGreaterThan(5_000);
  });
});
