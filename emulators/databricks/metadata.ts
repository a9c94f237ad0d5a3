/**
 * Answers the catalogue questions from DuckDB's catalogue, in Spark's shapes: the JDBC-style result
 * sets of GetCatalogs/GetSchemas/GetTables/GetColumns and the SHOW/DESCRIBE statements.
 */
import T from '@databricks/sql/thrift/TCLIService_types.js';
import type { Engine } from './engine.ts';
import { col, StaticResultSource, type ResultSource } from './results.ts';
import { columnSize, jdbcType, sparkSqlTypeName, sparkTypeName, thriftColumnType } from './spark-types.ts';
import { matchesJdbcPattern, matchesSparkPattern } from './translate.ts';
import { SqlError } from './sql-error.ts';

export async function getCatalogs(engine: Engine): Promise<ResultSource> {
  const catalogs = await engine.listCatalogs();
  return new StaticResultSource(
    [col('TABLE_CAT')],
    catalogs.map((c) => [c]),
  );
}

export async function getSchemas(
  engine: Engine,
  catalog?: string,
  schemaPattern?: string,
): Promise<ResultSource> {
  const schemas = (await engine.listSchemas(catalog)).filter((s) =>
    matchesJdbcPattern(schemaPattern, s.schema),
  );
  return new StaticResultSource(
    [col('TABLE_SCHEM'), col('TABLE_CATALOG')],
    schemas.map((s) => [s.schema, s.catalog]),
  );
}

export async function getTables(
  engine: Engine,
  catalog: string | undefined,
  schemaPattern: string | undefined,
  tablePattern: string | undefined,
  tableTypes: string[] | undefined,
): Promise<ResultSource> {
  const types = tableTypes?.map((t) => t.toUpperCase());
  const tables = (await engine.listTables(catalog))
    .filter((t) => matchesJdbcPattern(schemaPattern, t.schema) && matchesJdbcPattern(tablePattern, t.table))
    .filter((t) => types === undefined || types.length === 0 || types.includes(t.type));
  return new StaticResultSource(
    ['TABLE_CAT', 'TABLE_SCHEM', 'TABLE_NAME', 'TABLE_TYPE', 'REMARKS', 'TYPE_CAT', 'TYPE_SCHEM', 'TYPE_NAME']
      .concat(['SELF_REFERENCING_COL_NAME', 'REF_GENERATION'])
      .map((name) => col(name)),
    tables.map((t) => [t.catalog, t.schema, t.table, t.type, '', null, null, null, null, null]),
  );
}

export async function getColumns(
  engine: Engine,
  catalog: string | undefined,
  schemaPattern: string | undefined,
  tablePattern: string | undefined,
  columnPattern: string | undefined,
): Promise<ResultSource> {
  const tables = (await engine.listTables(catalog)).filter(
    (t) => matchesJdbcPattern(schemaPattern, t.schema) && matchesJdbcPattern(tablePattern, t.table),
  );
  const rows: unknown[][] = [];
  for (const table of tables) {
    for (const c of await engine.describeTable(table.catalog, table.schema, table.table)) {
      if (!matchesJdbcPattern(columnPattern, c.column)) continue;
      const thrift = thriftColumnType(c.type);
      rows.push([
        c.catalog,
        c.schema,
        c.table,
        c.column,
        jdbcType(thrift.typeId),
        sparkSqlTypeName(c.type),
        columnSize(thrift),
        null,
        thrift.scale ?? (thrift.wire === 'double' ? 0 : null),
        thrift.wire === 'double' || thrift.wire.startsWith('i') || thrift.typeId === T.TTypeId.DECIMAL_TYPE
          ? 10
          : null,
        c.nullable ? 1 : 0,
        '',
        null,
        null,
        null,
        null,
        c.ordinal,
        c.nullable ? 'YES' : 'NO',
        null,
        null,
        null,
        null,
        'NO',
      ]);
    }
  }
  return new StaticResultSource(
    [
      col('TABLE_CAT'),
      col('TABLE_SCHEM'),
      col('TABLE_NAME'),
      col('COLUMN_NAME'),
      col('DATA_TYPE', 'int'),
      col('TYPE_NAME'),
      col('COLUMN_SIZE', 'int'),
      col('BUFFER_LENGTH', 'int'),
      col('DECIMAL_DIGITS', 'int'),
      col('NUM_PREC_RADIX', 'int'),
      col('NULLABLE', 'int'),
      col('REMARKS'),
      col('COLUMN_DEF'),
      col('SQL_DATA_TYPE', 'int'),
      col('SQL_DATETIME_SUB', 'int'),
      col('CHAR_OCTET_LENGTH', 'int'),
      col('ORDINAL_POSITION', 'int'),
      col('IS_NULLABLE'),
      col('SCOPE_CATALOG'),
      col('SCOPE_SCHEMA'),
      col('SCOPE_TABLE'),
      col('SOURCE_DATA_TYPE', 'smallint'),
      col('IS_AUTO_INCREMENT'),
    ],
    rows,
  );
}

export async function showCatalogs(engine: Engine, pattern?: string): Promise<ResultSource> {
  const catalogs = (await engine.listCatalogs()).filter((c) => matchesSparkPattern(pattern, c));
  return new StaticResultSource(
    [col('catalog')],
    catalogs.map((c) => [c]),
  );
}

export async function requireCatalog(engine: Engine, catalog: string): Promise<string> {
  const found = (await engine.listCatalogs()).find((c) => c.toLowerCase() === catalog.toLowerCase());
  if (found === undefined) {
    throw new SqlError(
      `[NO_SUCH_CATALOG_EXCEPTION] Catalog '${catalog}' was not found. SQLSTATE: 42704`,
      '42704',
    );
  }
  return found;
}

export async function requireSchema(engine: Engine, catalog: string, schema: string): Promise<string> {
  const found = (await engine.listSchemas(catalog)).find(
    (s) => s.schema.toLowerCase() === schema.toLowerCase(),
  );
  if (found === undefined) {
    throw new SqlError(
      `[SCHEMA_NOT_FOUND] The schema \`${catalog}\`.\`${schema}\` cannot be found. Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42704`,
      '42704',
    );
  }
  return found.schema;
}

export async function showSchemas(engine: Engine, catalog: string, pattern?: string): Promise<ResultSource> {
  await requireCatalog(engine, catalog);
  const schemas = (await engine.listSchemas(catalog)).filter((s) => matchesSparkPattern(pattern, s.schema));
  return new StaticResultSource(
    [col('databaseName')],
    schemas.map((s) => [s.schema]),
  );
}

export async function showTables(
  engine: Engine,
  catalog: string,
  schema: string,
  pattern?: string,
): Promise<ResultSource> {
  const name = await requireSchema(engine, catalog, schema);
  const tables = (await engine.listTables(catalog, name)).filter((t) =>
    matchesSparkPattern(pattern, t.table),
  );
  return new StaticResultSource(
    [col('database'), col('tableName'), col('isTemporary', 'boolean')],
    tables.map((t) => [t.schema, t.table, false]),
  );
}

export function tableNotFound(name: string[]): SqlError {
  return new SqlError(
    `[TABLE_OR_VIEW_NOT_FOUND] The table or view ${name.map((p) => `\`${p}\``).join('.')} cannot be found. Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42P01`,
    '42P01',
  );
}

export async function describeTable(
  engine: Engine,
  name: string[],
  current: { catalog: string; schema: string },
  extended: boolean,
): Promise<ResultSource> {
  const table = name.at(-1)!;
  const schema = name.length >= 2 ? name.at(-2)! : current.schema;
  const catalog = name.length >= 3 ? name.at(-3)! : current.catalog;
  const found = (await engine.listTables(catalog, schema)).find(
    (t) => t.table.toLowerCase() === table.toLowerCase(),
  );
  if (found === undefined) throw tableNotFound(name);
  const columns = await engine.describeTable(found.catalog, found.schema, found.table);
  const rows: unknown[][] = columns.map((c) => [c.column, sparkTypeName(c.type), null]);
  if (extended) {
    rows.push(
      ['', '', ''],
      ['# Detailed Table Information', '', ''],
      ['Catalog', found.catalog, ''],
      ['Database', found.schema, ''],
      ['Table', found.table, ''],
      ['Type', found.type === 'VIEW' ? 'VIEW' : 'MANAGED', ''],
      ['Provider', 'delta', ''],
    );
  }
  return new StaticResultSource([col('col_name'), col('data_type'), col('comment')], rows);
}
