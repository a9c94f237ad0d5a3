import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { createCursorCodec } from './cursor.ts';
import { matchesFilters, parseListQuery, type ListRules } from './listing.ts';

const rules: ListRules = {
  sortFields: ['createdAt', 'updatedAt', 'name'],
  defaultSort: { field: 'createdAt', direction: 'asc' },
  filterFields: ['name', 'state', 'connectionSpec', 'createdAt', 'sourceConnectionIds', 'params'],
  defaultLimit: 100,
  maxLimit: 1000,
};

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'no error';
};

const entity = {
  name: 'CRM Prod',
  state: 'enabled',
  createdAt: 1_700_000_000_000,
  connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b' },
  sourceConnectionIds: ['a', 'b'],
  params: { columns: [{ name: 'firstName' }, { name: 'age' }] },
};

const matches = (...property: string[]): boolean =>
  matchesFilters(entity, parseListQuery({ property }, rules).filters);

describe('list query parsing', () => {
  it('applies defaults', () => {
    expect(parseListQuery({}, rules)).toEqual({
      limit: 100,
      orderBy: { field: 'createdAt', direction: 'asc' },
      filters: [],
      count: false,
    });
  });

  it('parses orderby with + and - prefixes', () => {
    expect(parseListQuery({ orderby: '-name' }, rules).orderBy).toEqual({ field: 'name', direction: 'desc' });
    expect(parseListQuery({ orderby: '+updatedAt' }, rules).orderBy).toEqual({
      field: 'updatedAt',
      direction: 'asc',
    });
  });

  it.each([
    [{ limit: '10', count: 'true' }, 'FLOW-1401-400'],
    [{ count: 'maybe' }, 'FLOW-1401-400'],
    [{ limit: '0' }, 'FLOW-1402-400'],
    [{ limit: '1001' }, 'FLOW-1402-400'],
    [{ limit: 'ten' }, 'FLOW-1402-400'],
    [{ limit: ['1', '2'] }, 'FLOW-1401-400'],
    [{ orderby: '*name' }, 'FLOW-1432-400'],
    [{ orderby: 'state' }, 'FLOW-1433-400'],
    [{ property: 'name~CRM' }, 'FLOW-1440-400'],
    [{ property: 'createdAt>1,2' }, 'FLOW-1443-400'],
    [{ property: 'secret==x' }, 'FLOW-1449-400'],
    [{ property: 'name=x' }, 'FLOW-1450-400'],
    [{ property: 'name' }, 'FLOW-1450-400'],
    [{ property: 'na me==x' }, 'FLOW-1450-400'],
    [{ property: 'name==a,,b' }, 'FLOW-1452-400'],
    [{ property: 'name==' }, 'FLOW-1453-400'],
    [{ testParam: '1' }, 'FLOW-1451-400'],
  ])('rejects %j with %s', (query, code) => {
    expect(codeOf(() => parseListQuery(query, rules))).toBe(code);
  });
});

describe('property filters', () => {
  it('matches == case-insensitively, with comma lists and quotes', () => {
    expect(matches('name==crm prod')).toBe(true);
    expect(matches('name=="CRM Prod"')).toBe(true);
    expect(matches('state==disabled,enabled')).toBe(true);
    expect(matches('state==disabled')).toBe(false);
  });

  it('supports != and numeric ranges', () => {
    expect(matches('state!=disabled')).toBe(true);
    expect(matches('state!=enabled')).toBe(false);
    expect(matches('createdAt>1699999999999')).toBe(true);
    expect(matches('createdAt>=1700000000000', 'createdAt<=1700000000000')).toBe(true);
    expect(matches('createdAt<1700000000000')).toBe(false);
  });

  it('walks nested paths and arrays', () => {
    expect(matches('connectionSpec.id==e9d7ec6b-0873-4e57-ad21-b3a7c65e310b')).toBe(true);
    expect(matches('sourceConnectionIds[]==b')).toBe(true);
    expect(matches('params.columns[].name==AGE')).toBe(true);
    expect(matches('params.columns[].name==zip')).toBe(false);
  });

  it('ANDs repeated filters', () => {
    expect(matches('state==enabled', 'name==CRM Prod')).toBe(true);
    expect(matches('state==enabled', 'name==other')).toBe(false);
  });
});

describe('continuation tokens', () => {
  const codec = createCursorCodec(Buffer.alloc(32, 7));

  it('round-trips a position bound to its query', () => {
    const token = codec.encode({ value: 42, id: 'x' }, 'q1');
    expect(codec.decode(token, 'q1')).toEqual({ value: 42, id: 'x' });
    expect(codeOf(() => codec.decode(token, 'q2'))).toBe('FLOW-1420-400');
  });

  it('rejects tampered and foreign tokens', () => {
    const token = codec.encode({ value: 'a', id: 'x' }, 'q');
    const [payload = '', signature = ''] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ v: 'b', i: 'x', q: 'q' })).toString('base64url');
    expect(codeOf(() => codec.decode(`${forged}.${signature}`, 'q'))).toBe('FLOW-1420-400');
    expect(codeOf(() => codec.decode(`${payload}.AAAA`, 'q'))).toBe('FLOW-1420-400');
    expect(codeOf(() => codec.decode('garbage', 'q'))).toBe('FLOW-1420-400');
    expect(codeOf(() => createCursorCodec(Buffer.alloc(32, 8)).decode(token, 'q'))).toBe('FLOW-1420-400');
  });
});
