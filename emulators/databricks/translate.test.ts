import { describe, expect, it } from 'vitest';
import { matchesJdbcPattern, matchesSparkPattern, translate } from './translate.ts';
import { sparkToDuckType } from './spark-types.ts';

describe('Spark SQL → DuckDB translation', () => {
  it('rewrites backticks, Spark strings and named parameters, leaving literals and casts alone', () => {
    expect(
      translate("SELECT `a b`, 'it\\'s :x', \"dq\" FROM `c`.`d` WHERE x = :x AND y::INT = ? -- :z"),
    ).toEqual({
      kind: 'sql',
      sql: `SELECT "a b", 'it''s :x', 'dq' FROM "c"."d" WHERE x = $x AND y::INT = ? -- :z`,
    });
  });

  it('quotes identifiers DuckDB reserves but Spark does not', () => {
    expect(translate('SELECT at, e.columns FROM t TABLESAMPLE (5 PERCENT) WHERE at > 1')).toEqual({
      kind: 'sql',
      sql: 'SELECT "at", e."columns" FROM t TABLESAMPLE (5 PERCENT) WHERE "at" > 1',
    });
  });

  it('maps current_database() to the schema and current_catalog() to the catalog', () => {
    expect(translate('SELECT current_catalog(), current_database();')).toEqual({
      kind: 'sql',
      sql: "SELECT regexp_replace(current_database(), '__catalog$', ''), current_schema()",
    });
  });

  it('renames catalogs DuckDB reserves, only in three-part names', () => {
    expect(translate('SELECT main.x FROM main.default.t JOIN `system`.a.b')).toEqual({
      kind: 'sql',
      sql: 'SELECT main.x FROM "main__catalog".default.t JOIN "system__catalog".a.b',
    });
  });

  it('recognises USE, SHOW and DESCRIBE forms', () => {
    expect(translate('USE CATALOG `main`')).toEqual({ kind: 'use', catalog: 'main' });
    expect(translate('use schema acme')).toEqual({ kind: 'use', schema: 'acme' });
    expect(translate('USE DATABASE acme')).toEqual({ kind: 'use', schema: 'acme' });
    expect(translate('USE hive_metastore.acme')).toEqual({
      kind: 'use',
      catalog: 'hive_metastore',
      schema: 'acme',
    });
    expect(translate('SHOW CATALOGS')).toEqual({ kind: 'showCatalogs' });
    expect(translate("SHOW SCHEMAS IN main LIKE 'a*'")).toEqual({
      kind: 'showSchemas',
      catalog: 'main',
      pattern: 'a*',
    });
    expect(translate('SHOW DATABASES')).toEqual({ kind: 'showSchemas' });
    expect(translate('SHOW TABLES FROM main.default')).toEqual({
      kind: 'showTables',
      catalog: 'main',
      schema: 'default',
    });
    expect(translate("SHOW TABLES IN acme 'c*'")).toEqual({
      kind: 'showTables',
      schema: 'acme',
      pattern: 'c*',
    });
    expect(translate('DESCRIBE TABLE EXTENDED `a`.b')).toEqual({
      kind: 'describe',
      name: ['a', 'b'],
      extended: true,
    });
    expect(translate('DESC t')).toEqual({ kind: 'describe', name: ['t'], extended: false });
  });

  it('refuses an unclosed literal', () => {
    expect(() => translate("SELECT 'oops")).toThrow(/UNCLOSED_LITERAL/);
  });

  it('matches Spark SHOW patterns and JDBC metadata patterns', () => {
    expect(matchesSparkPattern('cust*|ord*', 'Orders')).toBe(true);
    expect(matchesSparkPattern('cust*', 'orders')).toBe(false);
    expect(matchesJdbcPattern('c_st%', 'customers')).toBe(true);
    expect(matchesJdbcPattern('c_st%', 'cost')).toBe(true);
    expect(matchesJdbcPattern('x%', 'customers')).toBe(false);
    expect(matchesJdbcPattern(undefined, 'anything')).toBe(true);
  });

  it('maps Spark column types to DuckDB types', () => {
    expect(sparkToDuckType('STRUCT<a:INT,b:ARRAY<MAP<STRING,DECIMAL(38,9)>>>')).toBe(
      'STRUCT("a" INTEGER, "b" MAP(VARCHAR, DECIMAL(38,9))[])',
    );
    expect(sparkToDuckType('binary')).toBe('BLOB');
    expect(() => sparkToDuckType('GEOGRAPHY')).toThrow(/unsupported Spark type/);
  });
});
