import { describe, expect, it } from 'vitest';
import { seeded } from '../../../test/support/seeded.ts';
import { hasAmbiguousNumbers, parseEntityPage } from './sdk.ts';

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

const typed = (entity: ReadonlyMap<string, { type: string; value: string }> | undefined) =>
  Object.fromEntries([...(entity ?? [])].map(([name, cell]) => [name, `${cell.type}:${cell.value}`]));

describe('parseEntityPage (entity pages parsed once, straight into EDM-typed entities)', () => {
  it('types annotated and implicit properties as the service means them and drops the metadata', () => {
    const body = JSON.stringify({
      'odata.metadata': 'http://127.0.0.1/devstoreaccount1/$metadata#t',
      value: [
        {
          'odata.etag': `W/"datetime'2024-01-01T00%3A00%3A00.1234567Z'"`,
          PartitionKey: 'p1',
          RowKey: '001',
          Timestamp: '2024-01-01T00:00:00.1234567Z',
          'Timestamp@odata.type': 'Edm.DateTime',
          name: 'Zürich 🌊',
          empty: '',
          age: 25,
          score: 2.5,
          active: false,
          big: '9007199254740993',
          'big@odata.type': 'Edm.Int64',
          id: 'a1b2c3d4-0000-4000-8000-000000000001',
          'id@odata.type': 'Edm.Guid',
          blob: 'AAEC/w==',
          'blob@odata.type': 'Edm.Binary',
          ratio: 'NaN',
          'ratio@odata.type': 'Edm.Double',
          odd: 'x',
          'odd@odata.type': 'Edm.Single',
        },
      ],
    });
    const page = parseEntityPage(body);
    expect(page).toHaveLength(1);
    expect(typed(page?.[0])).toEqual({
      PartitionKey: 'String:p1',
      RowKey: 'String:001',
      Timestamp: 'DateTime:2024-01-01T00:00:00.1234567Z',
      name: 'String:Zürich 🌊',
      empty: 'String:',
      age: 'Int32:25',
      score: 'Double:2.5',
      active: 'Boolean:false',
      big: 'Int64:9007199254740993',
      id: 'Guid:a1b2c3d4-0000-4000-8000-000000000001',
      blob: 'Binary:AAEC/w==',
      ratio: 'Double:NaN',
      odd: 'String:x',
    });
  });

  it('reads an unannotated number by its text: 3.0, 1e3 and 12345678901 are Doubles, 7 an Int32', () => {
    const page = parseEntityPage(
      '{"value":[{"PartitionKey":"p","RowKey":"1","a":3.0,"b":1e3,"c":12345678901,"d":7},{"PartitionKey":"p","RowKey":"2","a":3}]}',
    );
    expect(page?.map(typed)).toEqual([
      {
        PartitionKey: 'String:p',
        RowKey: 'String:1',
        a: 'Double:3',
        b: 'Double:1000',
        c: 'Double:12345678901',
        d: 'Int32:7',
      },
      { PartitionKey: 'String:p', RowKey: 'String:2', a: 'Int32:3' },
    ]);
  });

  it('types every generated number as the service rule does, on the fast path and off it', () => {
    const { next, digits } = seeded(12);
    for (let i = 0; i < 5_000; i++) {
      const int = String(Number(digits(1 + next(12))));
      const forms = [int, `${int}.0`, `${int}.${digits(1 + next(3))}`, `${int}e${next(5)}`];
      const text = `${next(2) === 0 ? '-' : ''}${forms[next(forms.length)] ?? int}`;
      const cell = parseEntityPage(`{"value":[{"v":${text},"w":1}]}`)?.[0]?.get('v');
      expect(cell?.type, text).toBe(serviceType(text));
      expect(cell?.value, text).toBe(String(Number(text)));
    }
  });

  it('is undefined for anything that is not an entity page', () => {
    for (const body of ['', 'not json', '{}', '{"value":3}', '{"value":[1]}', '{"value":[[]]}', 'null']) {
      expect(parseEntityPage(body), body).toBeUndefined();
    }
    expect(parseEntityPage('{"value":[]}')).toEqual([]);
  });
});
