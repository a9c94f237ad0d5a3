import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../connector.ts';
import { parseFilter } from '../filter.ts';
import { column } from '../values.ts';
import { toODataFilter } from './odata.ts';

const f = (fieldName: string) => ({ nodeType: 'fieldLookup', fieldName });
const l = (value: unknown) => ({ nodeType: 'literal', value });
const fn = (fnName: string, ...params: unknown[]) => ({ nodeType: 'fnApply', fnName, params });
const edm = (name: string, type: ColumnSchema['type'], originalType: string) =>
  column(name, type, { originalType });

const columns: ColumnSchema[] = [
  edm('PartitionKey', 'string', 'Edm.String'),
  edm('Timestamp', 'date-time', 'Edm.DateTime'),
  edm('firstname', 'string', 'Edm.String'),
  edm('age', 'integer', 'Edm.Int32'),
  edm('big', 'long', 'Edm.Int64'),
  edm('score', 'double', 'Edm.Double'),
  edm('active', 'boolean', 'Edm.Boolean'),
  edm('id', 'string', 'Edm.Guid'),
  edm('blob', 'binary', 'Edm.Binary'),
  column('mixed', 'string', { originalType: 'conflict', seenTypes: ['Edm.Int32', 'Edm.String'] }),
  column('amount', 'double', { originalType: 'Edm.Double', seenTypes: ['Edm.Double', 'Edm.Int32'] }),
];

const od = (node: unknown) => toODataFilter(parseFilter(node), columns);

describe('toODataFilter', () => {
  it('translates the Adobe example, in as an or-chain', () => {
    expect(
      od(fn('and', fn('>=', f('age'), l(20)), fn('in', f('firstname'), l(['Ramen', "O'Brien"])))),
    ).toEqual({
      filter: "(age ge 20) and ((firstname eq 'Ramen') or (firstname eq 'O''Brien'))",
      exact: true,
    });
  });

  it('types literals the OData way', () => {
    expect(od(fn('=', f('big'), l('9007199254740993'))).filter).toBe('big eq 9007199254740993L');
    expect(od(fn('>', f('score'), l(2))).filter).toBe('score gt 2.0');
    expect(od(fn('<', f('score'), l(1e-7))).filter).toBe('score lt 0.0000001');
    expect(od(fn('!=', f('active'), l(false))).filter).toBe('active ne false');
    expect(od(fn('>=', f('Timestamp'), l('2024-01-01T01:00:00+01:00')))).toEqual({
      filter: "Timestamp ge datetime'2024-01-01T00:00:00.000Z'",
      exact: true,
    });
  });

  it('widens sub-millisecond date-times to the millisecond, inexactly', () => {
    expect(od(fn('>', f('Timestamp'), l('2024-01-01T00:00:00.0005Z')))).toEqual({
      filter: "Timestamp ge datetime'2024-01-01T00:00:00.000Z'",
      exact: false,
    });
    expect(od(fn('<', f('Timestamp'), l('2024-01-01T00:00:00.0005Z'))).filter).toBe(
      "Timestamp le datetime'2024-01-01T00:00:00.001Z'",
    );
  });

  it('keeps the expressible conjuncts of an and, marking it inexact', () => {
    expect(od(fn('and', fn('=', f('age'), l(3)), fn('like', f('firstname'), l('J%'))))).toEqual({
      filter: 'age eq 3',
      exact: false,
    });
  });

  it('drops an or or a NOT over anything it cannot express', () => {
    expect(od(fn('or', fn('=', f('age'), l(3)), fn('isNull', f('firstname'))))).toEqual({ exact: false });
    expect(od(fn('NOT', fn('and', fn('=', f('age'), l(3)), fn('like', f('firstname'), l('J%')))))).toEqual({
      exact: false,
    });
    expect(od(fn('NOT', fn('=', f('age'), l(3))))).toEqual({ filter: 'not (age eq 3)', exact: false });
  });

  it('never pushes down filters Azure would judge differently', () => {
    for (const node of [
      fn('=', f('mixed'), l('5')),
      fn('=', f('amount'), l(3)),
      fn('=', f('id'), l('a1b2c3d4-0000-0000-0000-000000000000')),
      fn('=', f('blob'), l('AAE=')),
      fn('<', f('firstname'), l('M')),
      fn('like', f('firstname'), l('J%')),
      fn('isNull', f('age')),
    ]) {
      expect(od(node)).toEqual({ exact: false });
    }
  });
});
