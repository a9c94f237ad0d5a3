import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { matchesFilters, parseListQuery, resumeQuery, type ListRules } from './listing.ts';

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
      given: [],
    });
  });

  it('accepts a single-valued parameter repeated with the same value', () => {
    const parsed = parseListQuery({ limit: ['5', '5'], orderby: ['-name', '-name'] }, rules);
    expect(parsed.limit).toBe(5);
    expect(parsed.orderBy).toEqual({ field: 'name', direction: 'desc' });
    expect(parsed.given).toEqual(['limit', 'orderby']);
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
    [{ limit: ' 5' }, 'FLOW-1402-400'],
    [{ limit: '+5' }, 'FLOW-1402-400'],
    [{ limit: '5 ' }, 'FLOW-1402-400'],
    [{ orderby: ['name', '-name'] }, 'FLOW-1401-400'],
    [{ count: 'true', continuationToken: 'x' }, 'FLOW-1401-400'],
    [{ property: 'createdAt>abc' }, 'FLOW-1452-400'],
    [{ property: 'createdAt==1,abc' }, 'FLOW-1452-400'],
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

describe('refused values say what to fix', () => {
  const messageOf = (query: Record<string, unknown>): string => {
    try {
      parseListQuery(query, rules);
    } catch (error) {
      if (error instanceof AppError) return error.message;
    }
    return 'no error';
  };

  it('names the problem without echoing the value', () => {
    expect(messageOf({ limit: ' 5' })).toMatch(/digits only.*'\+' in a query string is a space/);
    expect(messageOf({ limit: ['10', '5'] })).toMatch(/'limit' is given 2 times with different values/);
    expect(messageOf({ property: 'createdAt>abc' })).toMatch(/createdAt holds numbers.*epoch milliseconds/);
    expect(messageOf({ property: 'createdAt>abc' })).not.toContain('abc');
  });

  it('refuses a range on a number with a non-number wherever the number is', () => {
    expect(codeOf(() => matches('params.columns[].name>1'))).toBe('no error');
    const numbers = { params: { size: 3 } };
    const filters = parseListQuery({ property: 'params.size>big' }, rules).filters;
    expect(codeOf(() => matchesFilters(numbers, filters))).toBe('FLOW-1452-400');
  });

  it('accepts null on a numeric field with == and !=', () => {
    expect(codeOf(() => parseListQuery({ property: 'createdAt!=null' }, rules))).toBe('no error');
  });
});

describe('resuming from a token', () => {
  const carried = parseListQuery(
    { limit: '10', orderby: '-name', property: ['state==enabled', 'name==a'] },
    rules,
  );

  it('takes the query from the token when the request names nothing', () => {
    const resumed = resumeQuery(parseListQuery({ continuationToken: 't' }, rules), carried);
    expect(resumed.limit).toBe(10);
    expect(resumed.orderBy).toEqual({ field: 'name', direction: 'desc' });
    expect(resumed.filters.map((filter) => filter.expression)).toEqual(['state==enabled', 'name==a']);
  });

  it('accepts the same parameters again, in any order, and a new limit', () => {
    const request = parseListQuery(
      { continuationToken: 't', limit: '3', orderby: '-name', property: ['name==a', 'state==enabled'] },
      rules,
    );
    expect(resumeQuery(request, carried).limit).toBe(3);
  });

  it('refuses another order or other filters with the token', () => {
    const other = (query: Record<string, unknown>) => () =>
      resumeQuery(parseListQuery({ continuationToken: 't', ...query }, rules), carried);
    expect(codeOf(other({ orderby: 'name' }))).toBe('FLOW-1420-400');
    expect(codeOf(other({ property: 'state==enabled' }))).toBe('FLOW-1420-400');
  });
});
