import { describe, expect, it } from 'vitest';
import { seeded } from '../../../test/support/seeded.ts';
import type { NormalizedType } from '../connector.ts';
import { cellValue } from './schema.ts';
import type { EdmType, EdmValue } from './sdk.ts';

const TYPES: NormalizedType[] = ['string', 'integer', 'long', 'double', 'boolean', 'date-time', 'binary'];
const EDM: EdmType[] = ['Int32', 'Double', 'Boolean', 'String', 'Int64'];

describe('cellValue with the parsed JSON value (native) beside the text', () => {
  it('gives exactly what the text alone gives, for every column type', () => {
    const { next, digits } = seeded(21);
    const samples: (number | boolean)[] = [
      0, -0, 1, -1, 2_147_483_647, 2_147_483_648, -2_147_483_649, 2.5, 1e21,
    ];
    samples.push(Infinity, -Infinity, Number('9007199254740993'), true, false);
    for (let i = 0; i < 1_000; i++) {
      const sign = next(2) === 0 ? -1 : 1;
      samples.push(
        sign * Number(digits(1 + next(11))),
        sign * Number(`${digits(1 + next(5))}.${digits(1 + next(4))}`),
      );
    }
    let compared = 0;
    for (const native of samples) {
      for (const edm of EDM) {
        const text: EdmValue = { type: edm, value: String(native) };
        for (const type of TYPES) {
          const label = `${String(native)} ${edm} → ${type}`;
          expect(Object.is(cellValue({ ...text, native }, type), cellValue(text, type)), label).toBe(true);
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(50_000);
  });

  it('takes the native value for the common cells', () => {
    expect(cellValue({ type: 'Int32', value: '25', native: 25 }, 'integer')).toBe(25);
    expect(cellValue({ type: 'Double', value: '2.5', native: 2.5 }, 'double')).toBe(2.5);
    expect(cellValue({ type: 'Boolean', value: 'true', native: true }, 'boolean')).toBe(true);
    expect(cellValue({ type: 'Int32', value: '7', native: 7 }, 'long')).toBe('7');
  });
});
