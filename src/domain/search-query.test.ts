import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import type { ListRules } from './listing.ts';
import { parseSearchBody } from './search-query.ts';

const rules: ListRules = {
  sortFields: ['createdAt', 'name'],
  defaultSort: { field: 'createdAt', direction: 'asc' },
  filterFields: ['name', 'state', 'createdAt', 'flowSpec'],
  defaultLimit: 100,
  maxLimit: 5000,
};

const codeOf = (body: unknown, query: Record<string, unknown> = {}): string => {
  try {
    parseSearchBody(body, query, rules);
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'no error';
};

describe('search bodies', () => {
  it('reads queryString as property expressions joined by &, with or without property= and encoding', () => {
    const parsed = parseSearchBody(
      {
        queryString: 'property=name%3D%3D%22CRM%20Prod%22&state==enabled& &flowSpec.id==a,b',
        limit: 5,
        orderby: '-name',
      },
      {},
      rules,
    );
    expect(parsed.filters.map((filter) => filter.expression)).toEqual([
      'name=="CRM Prod"',
      'state==enabled',
      'flowSpec.id==a,b',
    ]);
    expect(parsed.limit).toBe(5);
    expect(parsed.orderBy).toEqual({ field: 'name', direction: 'desc' });
    expect(parsed.given).toEqual(['limit', 'orderby', 'property']);
  });

  it('takes no body (a next page), an empty one, and the token from the query string', () => {
    expect(parseSearchBody(undefined, { continuationToken: 't' }, rules)).toMatchObject({
      continuationToken: 't',
      given: [],
    });
    expect(parseSearchBody({}, {}, rules).limit).toBe(100);
    expect(parseSearchBody({ count: 'true' }, {}, rules).count).toBe(true);
  });

  it.each([
    [{ limit: 1001 }, 'FLOW-1402-400'],
    [{ limit: 0 }, 'FLOW-1402-400'],
    [{ limit: 2.5 }, 'FLOW-1402-400'],
    [{ limit: '+5' }, 'FLOW-1402-400'],
    [{ limit: 5, count: true }, 'FLOW-1401-400'],
    [{ count: 'yes' }, 'FLOW-1401-400'],
    [{ orderby: 3 }, 'FLOW-1432-400'],
    [{ orderby: 'state' }, 'FLOW-1433-400'],
    [{ queryString: 'name~x' }, 'FLOW-1440-400'],
    [{ queryString: 'name=x' }, 'FLOW-1450-400'],
    [{ queryString: 'name==%E0%A4%A' }, 'FLOW-1450-400'],
    [{ queryString: 'createdAt>abc' }, 'FLOW-1452-400'],
    [{ queryString: 'secret==x' }, 'FLOW-1449-400'],
    [{ queryString: ['name==x'] }, 'FLOW-1407-400'],
    [{ projectionFields: 'id' }, 'FLOW-1407-400'],
    [{ groupByProperty: 'state' }, 'FLOW-1407-400'],
    [{ filter: 'x' }, 'FLOW-1407-400'],
    [[1], 'FLOW-1407-400'],
    ['text', 'FLOW-1407-400'],
  ])('refuses %j with %s', (body, code) => {
    expect(codeOf(body)).toBe(code);
  });

  it('refuses count with a token, and a token given twice differently', () => {
    expect(codeOf({ count: true }, { continuationToken: 't' })).toBe('FLOW-1401-400');
    expect(codeOf({}, { continuationToken: ['a', 'b'] })).toBe('FLOW-1401-400');
  });
});
