import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.ts';
import type { ColumnSchema, Row } from './connector.ts';
import {
  decodeFilterParameter,
  evaluateFilter,
  filterColumns,
  likeToRegExp,
  parseFilter,
  validateFilter,
} from './filter.ts';
import type { FilterNode } from './filter-types.ts';
import { column } from './values.ts';

const f = (fieldName: string) => ({ nodeType: 'fieldLookup' as const, fieldName });
const l = (value: unknown) => ({ nodeType: 'literal' as const, value });
const fn = (fnName: string, ...params: unknown[]) => ({ nodeType: 'fnApply' as const, fnName, params });

/** The example of flow-service-api.md §3.3. */
const adobeExample = {
  type: 'PQL',
  format: 'pql/json',
  value: fn(
    'and',
    fn('>=', f('age'), l(20)),
    fn('in', f('firstname'), l(['Ramen', 'John'])),
    fn('NOT', fn('isNull', f('x'))),
  ),
};

const columns: ColumnSchema[] = [
  column('age', 'integer'),
  column('firstname', 'string'),
  column('x', 'string'),
  column('big', 'long'),
  column('price', 'decimal'),
  column('score', 'double'),
  column('ok', 'boolean'),
  column('ts', 'date-time'),
  column('day', 'date'),
  column('blob', 'binary'),
];

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return `${error.code} ${error.message}`;
    throw error;
  }
  throw new Error('expected an AppError');
}

const parse = (json: unknown): FilterNode => parseFilter(json);

describe('decodeFilterParameter', () => {
  it('decodes base64 (standard, URL-safe, with spaces for +) of the envelope', () => {
    const json = JSON.stringify(adobeExample);
    const node = decodeFilterParameter(Buffer.from(json).toString('base64'));
    expect(node).toEqual(adobeExample.value);
    expect(decodeFilterParameter(Buffer.from(json).toString('base64url'))).toEqual(adobeExample.value);
    const withPlus = Buffer.from(JSON.stringify(fn('=', f('x'), l('>>>?')))).toString('base64');
    expect(withPlus).toContain('+');
    expect(decodeFilterParameter(withPlus.replace(/\+/g, ' '))).toEqual(fn('=', f('x'), l('>>>?')));
  });

  it('rejects bad base64 and non-JSON with CONNECTOR-1389-400', () => {
    expect(codeOf(() => decodeFilterParameter('***'))).toMatch(/^CONNECTOR-1389-400 .*not valid base64/);
    expect(codeOf(() => decodeFilterParameter(''))).toMatch(/^CONNECTOR-1389-400/);
    expect(codeOf(() => decodeFilterParameter(Buffer.from('{nope').toString('base64')))).toMatch(
      /^CONNECTOR-1389-400 .*not JSON/,
    );
  });

  it('passes structural problems on as CONNECTOR-1349-400', () => {
    const b64 = Buffer.from(JSON.stringify({ type: 'SQL', format: 'pql/json', value: {} })).toString(
      'base64',
    );
    expect(codeOf(() => decodeFilterParameter(b64))).toMatch(
      /^CONNECTOR-1349-400 Invalid filter at \$\.type/,
    );
  });
});

describe('parseFilter', () => {
  it('accepts the envelope or a bare node and drops unknown fields', () => {
    expect(parse(adobeExample)).toEqual(adobeExample.value);
    expect(parse({ ...fn('=', { ...f('x'), extra: 1 }, l('a')), note: 'x' })).toEqual(
      fn('=', f('x'), l('a')),
    );
  });

  it('names the JSON path of the bad node', () => {
    const bad = {
      ...adobeExample,
      value: fn('and', fn('>=', f('age'), l(20)), fn('in', f('firstname'), l([]))),
    };
    expect(codeOf(() => parse(bad))).toBe(
      'CONNECTOR-1349-400 Invalid filter at $.value.params[1].params[1].value: in needs a non-empty array of values, got an array',
    );
    expect(codeOf(() => parse(fn('or', fn('=', f('a'), l(1)), fn('between', f('a')))))).toMatch(
      /at \$\.params\[1\]\.fnName: unknown function "between"/,
    );
  });

  it('rejects NOT with other than one operand as CONNECTOR-1390-400', () => {
    expect(codeOf(() => parse(fn('NOT', fn('isNull', f('a')), fn('isNull', f('b')))))).toMatch(
      /^CONNECTOR-1390-400 .*exactly one operand, got 2/,
    );
    expect(codeOf(() => parse(fn('NOT')))).toMatch(/^CONNECTOR-1390-400/);
  });

  it('checks arity, operand kinds and literal shapes', () => {
    expect(codeOf(() => parse(fn('=', f('a'))))).toMatch(/= takes two operands, got 1/);
    expect(codeOf(() => parse(fn('isNull', f('a'), l(1))))).toMatch(/isNull takes one operand, got 2/);
    expect(codeOf(() => parse(fn('=', l(1), f('a'))))).toMatch(
      /\$\.params\[0\]: the first operand of = must be a fieldLookup node, got a literal node/,
    );
    expect(codeOf(() => parse(fn('=', f('a'), f('b'))))).toMatch(
      /must be a literal node, got a fieldLookup node/,
    );
    expect(codeOf(() => parse(fn('=', f('a'), l(null))))).toMatch(/use isNull/);
    expect(codeOf(() => parse(fn('like', f('a'), l(3))))).toMatch(/like needs a string pattern/);
    expect(codeOf(() => parse(fn('in', f('a'), l([1, { x: 1 }]))))).toMatch(
      /\.value\[1\]: expected a string/,
    );
    expect(codeOf(() => parse(fn('and', f('a'))))).toMatch(/a fieldLookup is not a condition/);
    expect(codeOf(() => parse(fn('and')))).toMatch(/and needs at least one operand/);
    expect(codeOf(() => parse(f('a')))).toMatch(/^CONNECTOR-1349-400 Invalid filter at \$: a fieldLookup/);
    expect(codeOf(() => parse({ nodeType: 'fnApply', fnName: '=', params: 'x' }))).toMatch(
      /\$\.params: expected an array/,
    );
    expect(codeOf(() => parse(fn('=', f(''), l(1))))).toMatch(/fieldName: expected a non-empty column name/);
    expect(codeOf(() => parse('x'))).toMatch(/expected a filter node object/);
    expect(codeOf(() => parse({ type: 'PQL', format: 'pql/text', value: {} }))).toMatch(/\$\.format/);
  });
});

describe('filterColumns', () => {
  it('lists each column once in order of appearance', () => {
    expect(filterColumns(parse(adobeExample))).toEqual(['age', 'firstname', 'x']);
  });
});

describe('validateFilter', () => {
  it('accepts literals that fit their columns', () => {
    const ok = parse(
      fn(
        'and',
        fn('>=', f('age'), l(20)),
        fn('=', f('big'), l('9007199254740993')),
        fn('<', f('price'), l('10.50')),
        fn('>', f('score'), l(1)),
        fn('=', f('ok'), l(true)),
        fn('>=', f('ts'), l('2024-01-01T00:00:00+02:00')),
        fn('<', f('day'), l('2024-02-01')),
        fn('=', f('blob'), l('AP8B')),
        fn('like', f('firstname'), l('J%')),
      ),
    );
    expect(() => {
      validateFilter(ok, columns);
    }).not.toThrow();
  });

  it('names an unknown column and the known ones (CONNECTOR-1377-400)', () => {
    expect(
      codeOf(() => {
        validateFilter(parse(fn('=', f('Age'), l(1))), columns);
      }),
    ).toBe(
      'CONNECTOR-1377-400 The filter refers to column "Age", which the table does not have (column names are case-sensitive; did you mean "age"?). Known columns: age, firstname, x, big, price, score, ok, ts, day, blob.',
    );
  });

  it('rejects incompatible literals (CONNECTOR-1378-400)', () => {
    const check = (node: unknown) =>
      codeOf(() => {
        validateFilter(parse(node), columns);
      });
    expect(check(fn('=', f('age'), l('20')))).toBe(
      'CONNECTOR-1378-400 Filter = on column "age" (integer): expected a number, got the string "20".',
    );
    expect(check(fn('=', f('age'), l(1.5)))).toMatch(/whole number/);
    expect(check(fn('=', f('big'), l(2 ** 60)))).toMatch(/write it as a string of digits/);
    expect(check(fn('>', f('ts'), l('yesterday')))).toMatch(/^CONNECTOR-1378-400 .*ISO-8601/);
    expect(check(fn('=', f('day'), l('2024-02-30')))).toMatch(/YYYY-MM-DD/);
    expect(check(fn('like', f('age'), l('1%')))).toMatch(/like applies only to string columns/);
    expect(check(fn('<', f('ok'), l(true)))).toMatch(/boolean values have no order/);
    expect(check(fn('in', f('firstname'), l(['a', 2])))).toMatch(/expected a string, got the number 2/);
    expect(check(fn('=', f('firstname'), l(5)))).toMatch(/^CONNECTOR-1378-400/);
  });
});

describe('evaluateFilter', () => {
  const rows: Row[] = [
    { age: 25, firstname: 'Ramen', x: 'a' },
    { age: 19, firstname: 'John', x: 'b' },
    { age: 30, firstname: 'John', x: null },
    { age: null, firstname: 'John', x: 'c' },
    { age: 40, firstname: 'Mary', x: 'd' },
    { age: 20, firstname: 'John', x: 'e' },
  ];
  const run = (node: unknown, data: Row[] = rows) =>
    data.filter((r) => evaluateFilter(parse(node), r, columns)).map((r) => r.x ?? `age${String(r.age)}`);

  it('evaluates the Adobe example exactly', () => {
    expect(run(adobeExample)).toEqual(['a', 'e']);
  });

  it('treats comparisons with null as unknown, also under NOT', () => {
    expect(run(fn('<', f('age'), l(100)))).toEqual(['a', 'b', 'age30', 'd', 'e']);
    expect(run(fn('NOT', fn('<', f('age'), l(100))))).toEqual([]);
    expect(run(fn('!=', f('age'), l(19)))).toEqual(['a', 'age30', 'd', 'e']);
    expect(run(fn('isNull', f('age')))).toEqual(['c']);
    expect(run(fn('NOT', fn('isNull', f('x'))))).toEqual(['a', 'b', 'c', 'd', 'e']);
    // Kleene logic: unknown or true = true; unknown and false = false; NOT(unknown and true) = unknown (row c).
    expect(run(fn('or', fn('>', f('age'), l(35)), fn('=', f('x'), l('c'))))).toEqual(['c', 'd']);
    expect(run(fn('NOT', fn('and', fn('>', f('age'), l(35)), fn('=', f('x'), l('c')))))).toEqual([
      'a',
      'b',
      'age30',
      'd',
      'e',
    ]);
    expect(run(fn('NOT', fn('in', f('firstname'), l(['John']))))).toEqual(['a', 'd']);
  });

  it('implements like with %, _ and escapes, case-sensitively', () => {
    const data: Row[] = [
      { x: 'John' },
      { x: 'Joan' },
      { x: 'john' },
      { x: 'Jo' },
      { x: '50%' },
      { x: '50x' },
      { x: 'a_b' },
      { x: 'acb' },
      { x: 'J🌊n' },
      { x: 'multi\nline' },
    ];
    expect(run(fn('like', f('x'), l('Jo%')), data)).toEqual(['John', 'Joan', 'Jo']);
    expect(run(fn('like', f('x'), l('Jo_n')), data)).toEqual(['John', 'Joan']);
    expect(run(fn('like', f('x'), l('J_n')), data)).toEqual(['J🌊n']);
    expect(run(fn('like', f('x'), l('50\\%')), data)).toEqual(['50%']);
    expect(run(fn('like', f('x'), l('a\\_b')), data)).toEqual(['a_b']);
    expect(run(fn('like', f('x'), l('%line')), data)).toEqual(['multi\nline']);
    expect(likeToRegExp('(.*)').test('(.*)')).toBe(true);
    expect(likeToRegExp('(.*)').test('(abc)')).toBe(false);
  });

  it('compares long and decimal exactly, date-times as instants', () => {
    const data: Row[] = [
      { x: 'a', big: '9007199254740993', price: '10.10', ts: '2024-01-01T00:00:00.000Z' },
      { x: 'b', big: '9007199254740992', price: '10.1', ts: '2024-01-01T00:00:00.000001Z' },
      { x: 'c', big: '-9223372036854775808', price: '-0.001', ts: '2023-12-31T23:59:59.999Z' },
    ];
    expect(run(fn('=', f('big'), l('9007199254740993')), data)).toEqual(['a']);
    expect(run(fn('>', f('big'), l(9007199254740992)), data)).toEqual(['a']);
    expect(run(fn('<', f('big'), l(0)), data)).toEqual(['c']);
    expect(run(fn('=', f('price'), l(10.1)), data)).toEqual(['a', 'b']);
    expect(run(fn('<', f('price'), l('0')), data)).toEqual(['c']);
    expect(run(fn('>', f('ts'), l('2024-01-01T02:00:00+02:00')), data)).toEqual(['b']);
    expect(run(fn('=', f('ts'), l('2024-01-01T01:00:00+01:00')), data)).toEqual(['a']);
    expect(run(fn('in', f('big'), l(['1', '-9223372036854775808'])), data)).toEqual(['c']);
  });

  it('compares doubles, booleans, dates and binaries', () => {
    const data: Row[] = [
      { x: 'a', score: 1.5, ok: true, day: '2024-01-31', blob: 'AP8B' },
      { x: 'b', score: 'NaN', ok: false, day: '2024-02-01', blob: 'aGk=' },
    ];
    expect(run(fn('>', f('score'), l(1)), data)).toEqual(['a']);
    expect(run(fn('NOT', fn('>', f('score'), l(1))), data)).toEqual([]);
    expect(run(fn('=', f('ok'), l(false)), data)).toEqual(['b']);
    expect(run(fn('>=', f('day'), l('2024-02-01')), data)).toEqual(['b']);
    expect(run(fn('=', f('blob'), l('aGk=')), data)).toEqual(['b']);
  });
});
