import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.ts';
import type { FilterNode } from '../connector.ts';
import { parseDomain, parseWorkspace } from './params.ts';
import { selectExpression, sparkColumn } from './spark-types.ts';
import { compileFilter, parseTablePath, pathPart, quoteIdent } from './sql-text.ts';

const f = (fieldName: string): FilterNode => ({ nodeType: 'fieldLookup', fieldName });
const lit = (value: string | number | boolean | null | (string | number)[]): FilterNode => ({
  nodeType: 'literal',
  value,
});
const fn = (
  fnName: Extract<FilterNode, { nodeType: 'fnApply' }>['fnName'],
  ...params: FilterNode[]
): FilterNode => ({
  nodeType: 'fnApply',
  fnName,
  params,
});

const columns = ['age', 'firstname', 'weird `name`', 'Mixed'].map((n) => sparkColumn(n, 'string'));

describe('identifiers and paths', () => {
  it('quotes with backticks, doubling embedded backticks', () => {
    expect(quoteIdent('a`b')).toBe('`a``b`');
    expect(pathPart('plain_1')).toBe('plain_1');
    expect(pathPart('my table')).toBe('`my table`');
    expect(pathPart('a.b')).toBe('`a.b`');
  });

  it.each([
    ['db.t', ['db', 't']],
    ['t', ['t']],
    ['cat.db.t', ['cat', 'db', 't']],
    ['`my db`.`t.1`', ['my db', 't.1']],
    ['`a``b`.c', ['a`b', 'c']],
  ])('parses %s', (path, parts) => {
    expect(parseTablePath(path)).toEqual(parts);
  });

  it('round-trips pathPart through parseTablePath', () => {
    for (const name of ['x', 'sp ace', 'dot.ted', 'back`tick', 'ünï']) {
      expect(parseTablePath(`${pathPart('db')}.${pathPart(name)}`)).toEqual(['db', name]);
    }
  });

  it.each(['', 'a.', '.a', 'a..b', 'a.b.c.d', 'my table', '`open', '`a`b', 'a;drop'])(
    'rejects %j with 1340',
    (path) => {
      expect(() => parseTablePath(path)).toThrow(AppError);
      try {
        parseTablePath(path);
      } catch (error) {
        expect((error as AppError).code).toBe('CONNECTOR-1340-404');
      }
    },
  );
});

describe('compileFilter', () => {
  it('compiles the brief example with bound parameters only', () => {
    const out = compileFilter(
      fn('and', fn('>=', f('age'), lit(20)), fn('in', f('firstname'), lit(['Ramen', 'John']))),
      columns,
    );
    expect(out.sql).toBe('((`age` >= ?) AND (`firstname` IN (?, ?)))');
    expect(out.params).toEqual([20, 'Ramen', 'John']);
  });

  it('never puts a literal into the SQL text', () => {
    const evil = "x' OR 1=1 --";
    const out = compileFilter(
      fn('or', fn('=', f('firstname'), lit(evil)), fn('like', f('firstname'), lit('%a_'))),
      columns,
    );
    expect(out.sql).not.toContain(evil);
    expect(out.sql).toBe("((`firstname` = ?) OR (`firstname` LIKE ? ESCAPE '\\\\'))");
    expect(out.params).toEqual([evil, '%a_']);
  });

  it('handles NOT, isNull, !=, null comparisons, mirrored literals, empty in, quoting and case', () => {
    expect(compileFilter(fn('NOT', fn('isNull', f('age'))), columns).sql).toBe('(NOT (`age` IS NULL))');
    expect(compileFilter(fn('!=', f('age'), lit(3)), columns).sql).toBe('(`age` <> ?)');
    expect(compileFilter(fn('=', f('age'), lit(null)), columns)).toEqual({
      sql: '(`age` IS NULL)',
      params: [],
    });
    expect(compileFilter(fn('!=', f('age'), lit(null)), columns).sql).toBe('(`age` IS NOT NULL)');
    expect(compileFilter(fn('<', lit(5), f('age')), columns)).toEqual({ sql: '(`age` > ?)', params: [5] });
    expect(compileFilter(fn('in', f('age'), lit([])), columns).sql).toBe('(1 = 0)');
    expect(compileFilter(fn('=', f('weird `name`'), lit(true)), columns).sql).toBe('(`weird ``name``` = ?)');
    expect(compileFilter(fn('=', f('mixed'), lit(1)), columns).sql).toBe('(`Mixed` = ?)');
  });

  it('rejects an unknown column with 1377 and malformed trees with 1349', () => {
    const code = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        return (error as AppError).code;
      }
      return 'none';
    };
    expect(code(() => compileFilter(fn('=', f('nope'), lit(1)), columns))).toBe('CONNECTOR-1377-400');
    expect(
      code(() => compileFilter(fn('NOT', fn('isNull', f('age')), fn('isNull', f('age'))), columns)),
    ).toBe('CONNECTOR-1349-400');
    expect(code(() => compileFilter(fn('like', f('age'), lit(1)), columns))).toBe('CONNECTOR-1349-400');
    expect(code(() => compileFilter(fn('=', f('age'), f('age')), columns))).toBe('CONNECTOR-1349-400');
    expect(code(() => compileFilter(f('age'), columns))).toBe('CONNECTOR-1349-400');
  });
});

describe('Spark types', () => {
  it.each([
    ['tinyint', 'integer'],
    ['smallint', 'integer'],
    ['int', 'integer'],
    ['bigint', 'long'],
    ['float', 'double'],
    ['double', 'double'],
    ['string', 'string'],
    ['varchar(10)', 'string'],
    ['char(3)', 'string'],
    ['boolean', 'boolean'],
    ['date', 'date'],
    ['timestamp', 'date-time'],
    ['timestamp_ntz', 'date-time'],
    ['binary', 'binary'],
    ['array<string>', 'string'],
    ['map<string,int>', 'string'],
    ['struct<a:int,b:string>', 'string'],
    ['interval day', 'string'],
  ])('%s → %s', (spark, type) => {
    const col = sparkColumn('c', spark);
    expect(col.type).toBe(type);
    expect(col.meta?.originalType).toBe(spark);
  });

  it('decimal keeps precision and scale, and dates carry meta:xdmType', () => {
    const col = sparkColumn('d', 'decimal(38,9)');
    expect(col).toMatchObject({
      type: 'decimal',
      xdm: { type: 'number' },
      meta: { precision: 38, scale: 9 },
    });
    expect(sparkColumn('t', 'timestamp')).toMatchObject({
      'meta:xdmType': 'date-time',
      xdm: { format: 'date-time' },
    });
  });

  it('selects exactly: casts for long/decimal/date-time, base64 for binary, JSON for complex types', () => {
    expect(selectExpression(sparkColumn('n', 'bigint'))).toBe('CAST(`n` AS STRING) AS `n`');
    expect(selectExpression(sparkColumn('b', 'binary'))).toBe('base64(`b`) AS `b`');
    expect(selectExpression(sparkColumn('a', 'array<int>'))).toBe('to_json(`a`) AS `a`');
    expect(selectExpression(sparkColumn('s', 'string'))).toBe('`s`');
    expect(selectExpression(sparkColumn('i', 'int'))).toBe('`i`');
  });
});

describe('params', () => {
  const base = {
    domain: 'https://adb-1234567890123456.7.azuredatabricks.net',
    clusterId: 'c-1',
    accessToken: 'dapiSECRET',
    database: 'db',
  };

  it('derives the workspace id from an Azure host, 0 otherwise; trailing slash and port allowed', () => {
    expect(parseWorkspace(base)).toMatchObject({
      host: 'adb-1234567890123456.7.azuredatabricks.net',
      port: 443,
      workspaceId: '1234567890123456',
    });
    expect(parseDomain('https://127.0.0.1:8443/')).toEqual({
      origin: 'https://127.0.0.1:8443',
      host: '127.0.0.1',
      port: 8443,
      workspaceId: '0',
    });
    expect(parseDomain('https://example.cloud.databricks.com').workspaceId).toBe('0');
  });

  it.each([
    ['http://adb-1.2.azuredatabricks.net', /must use https/],
    ['https://adb-1.2.azuredatabricks.net/sql/x', /without a path/],
    ['https://adb-1.2.azuredatabricks.net/?o=1', /query/],
    ['https://adb-1.2.azuredatabricks.net/#x', /query or fragment/],
    ['https://user:pw@adb-1.2.azuredatabricks.net', /must not contain credentials/],
    ['adb-1.2.azuredatabricks.net', /not a URL/],
    ['ftp://x', /https URL/],
  ])('rejects domain %s', (domain, message) => {
    expect(() => parseWorkspace({ ...base, domain })).toThrow(message);
    try {
      parseWorkspace({ ...base, domain });
    } catch (error) {
      expect((error as Error).message).not.toContain('pw@');
      expect((error as Error).message).not.toContain('dapiSECRET');
    }
  });

  it('requires the mandatory params and a plausible cluster id', () => {
    expect(() => parseWorkspace({ ...base, database: '' })).toThrow(/"database" parameter is required/);
    expect(() => parseWorkspace({ ...base, clusterId: '../x' })).toThrow(/clusterId/);
    expect(parseWorkspace({ ...base, catalog: 'main' }).catalog).toBe('main');
  });
});
