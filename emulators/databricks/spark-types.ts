/**
 * Type names across the three worlds the emulator joins: Spark SQL type strings (fixtures, DDL,
 * DESCRIBE output), DuckDB types (the engine), and Thrift TTypeIds (what the driver is told).
 */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import T from '@databricks/sql/thrift/TCLIService_types.js';

const simpleSparkToDuck: Record<string, string> = {
  INT: 'INTEGER',
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  LONG: 'BIGINT',
  SMALLINT: 'SMALLINT',
  SHORT: 'SMALLINT',
  TINYINT: 'TINYINT',
  BYTE: 'TINYINT',
  DOUBLE: 'DOUBLE',
  FLOAT: 'FLOAT',
  REAL: 'FLOAT',
  STRING: 'VARCHAR',
  VARCHAR: 'VARCHAR',
  CHAR: 'VARCHAR',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMP',
  BINARY: 'BLOB',
  DECIMAL: 'DECIMAL(10,0)',
  VOID: 'INTEGER',
};

/** Splits `a, b<c,d>, e` at top-level commas (or another separator). */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '<' || ch === '(') depth++;
    if (ch === '>' || ch === ')') depth--;
    if (ch === separator && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/** Spark SQL type string → DuckDB type SQL. Throws on a type it cannot read. */
export function sparkToDuckType(sparkType: string): string {
  const text = sparkType.trim();
  const generic = /^(\w+)\s*<(.*)>$/s.exec(text);
  if (generic) {
    const kind = (generic[1] ?? '').toUpperCase();
    const inner = generic[2] ?? '';
    if (kind === 'ARRAY') return `${sparkToDuckType(inner)}[]`;
    if (kind === 'MAP') {
      const [key, value, ...rest] = splitTopLevel(inner, ',');
      if (key === undefined || value === undefined || rest.length > 0)
        throw new Error(`bad MAP type: ${text}`);
      return `MAP(${sparkToDuckType(key)}, ${sparkToDuckType(value)})`;
    }
    if (kind === 'STRUCT') {
      const fields = splitTopLevel(inner, ',').map((field) => {
        const colon = field.indexOf(':');
        const name = colon >= 0 ? field.slice(0, colon) : field.split(/\s+/)[0];
        const type = colon >= 0 ? field.slice(colon + 1) : field.slice((name ?? '').length);
        return `"${(name ?? '').trim().replace(/`/g, '').replace(/"/g, '""')}" ${sparkToDuckType(type)}`;
      });
      return `STRUCT(${fields.join(', ')})`;
    }
    throw new Error(`unsupported Spark type: ${text}`);
  }
  const decimal = /^(?:DECIMAL|DEC|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/i.exec(text);
  if (decimal) return `DECIMAL(${decimal[1] ?? '10'},${decimal[2] ?? '0'})`;
  if (/^(?:VAR)?CHAR\s*\(\s*\d+\s*\)$/i.test(text)) return 'VARCHAR';
  const simple = simpleSparkToDuck[text.toUpperCase()];
  if (simple === undefined) throw new Error(`unsupported Spark type: ${text}`);
  return simple;
}

/** Spark's DataType.sql form, used for GetColumns' TYPE_NAME: `DECIMAL(38,9)`, `STRUCT<city: STRING, zip: INT>`. */
export function sparkSqlTypeName(type: DuckDBType): string {
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `ARRAY<${sparkSqlTypeName(type.valueType)}>`;
    case DuckDBTypeId.MAP:
      return `MAP<${sparkSqlTypeName(type.keyType)}, ${sparkSqlTypeName(type.valueType)}>`;
    case DuckDBTypeId.STRUCT:
      return `STRUCT<${type.entryNames.map((name, i) => `${name}: ${sparkSqlTypeName(type.entryTypes[i]!)}`).join(', ')}>`;
    default:
      return sparkTypeName(type).toUpperCase();
  }
}

/** DuckDB type → the Spark type name Databricks prints (DESCRIBE, TYPE_NAME): `decimal(38,9)`, `array<string>`. */
export function sparkTypeName(type: DuckDBType): string {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.TINYINT:
      return 'tinyint';
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return 'smallint';
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return 'int';
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return 'bigint';
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'decimal(38,0)';
    case DuckDBTypeId.FLOAT:
      return 'float';
    case DuckDBTypeId.DOUBLE:
      return 'double';
    case DuckDBTypeId.DECIMAL:
      return `decimal(${type.width},${type.scale})`;
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamp';
    case DuckDBTypeId.BLOB:
      return 'binary';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `array<${sparkTypeName(type.valueType)}>`;
    case DuckDBTypeId.MAP:
      return `map<${sparkTypeName(type.keyType)},${sparkTypeName(type.valueType)}>`;
    case DuckDBTypeId.STRUCT:
      return `struct<${type.entryNames.map((name, i) => `${name}:${sparkTypeName(type.entryTypes[i]!)}`).join(',')}>`;
    case DuckDBTypeId.SQLNULL:
      return 'void';
    case DuckDBTypeId.INTERVAL:
      return 'interval day to second';
    default:
      return 'string';
  }
}

/** How a column's values travel in a column-based TRowSet. */
export type WireKind = 'bool' | 'byte' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'json';

export interface ThriftColumnType {
  typeId: T.TTypeId;
  wire: WireKind;
  precision?: number;
  scale?: number;
}

export function thriftColumnType(type: DuckDBType): ThriftColumnType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { typeId: T.TTypeId.BOOLEAN_TYPE, wire: 'bool' };
    case DuckDBTypeId.TINYINT:
      return { typeId: T.TTypeId.TINYINT_TYPE, wire: 'byte' };
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return { typeId: T.TTypeId.SMALLINT_TYPE, wire: 'i16' };
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return { typeId: T.TTypeId.INT_TYPE, wire: 'i32' };
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return { typeId: T.TTypeId.BIGINT_TYPE, wire: 'i64' };
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return { typeId: T.TTypeId.DECIMAL_TYPE, wire: 'string', precision: 38, scale: 0 };
    case DuckDBTypeId.FLOAT:
      return { typeId: T.TTypeId.FLOAT_TYPE, wire: 'double' };
    case DuckDBTypeId.DOUBLE:
      return { typeId: T.TTypeId.DOUBLE_TYPE, wire: 'double' };
    case DuckDBTypeId.DECIMAL:
      return { typeId: T.TTypeId.DECIMAL_TYPE, wire: 'string', precision: type.width, scale: type.scale };
    case DuckDBTypeId.DATE:
      return { typeId: T.TTypeId.DATE_TYPE, wire: 'string' };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { typeId: T.TTypeId.TIMESTAMP_TYPE, wire: 'string' };
    case DuckDBTypeId.BLOB:
      return { typeId: T.TTypeId.BINARY_TYPE, wire: 'binary' };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { typeId: T.TTypeId.ARRAY_TYPE, wire: 'json' };
    case DuckDBTypeId.MAP:
      return { typeId: T.TTypeId.MAP_TYPE, wire: 'json' };
    case DuckDBTypeId.STRUCT:
      return { typeId: T.TTypeId.STRUCT_TYPE, wire: 'json' };
    case DuckDBTypeId.SQLNULL:
      return { typeId: T.TTypeId.NULL_TYPE, wire: 'string' };
    case DuckDBTypeId.INTERVAL:
      return { typeId: T.TTypeId.INTERVAL_DAY_TIME_TYPE, wire: 'string' };
    default:
      return { typeId: T.TTypeId.STRING_TYPE, wire: 'string' };
  }
}

/** JDBC java.sql.Types codes for GetColumns' DATA_TYPE. */
export function jdbcType(typeId: T.TTypeId): number {
  const map: Partial<Record<T.TTypeId, number>> = {
    [T.TTypeId.BOOLEAN_TYPE]: 16,
    [T.TTypeId.TINYINT_TYPE]: -6,
    [T.TTypeId.SMALLINT_TYPE]: 5,
    [T.TTypeId.INT_TYPE]: 4,
    [T.TTypeId.BIGINT_TYPE]: -5,
    [T.TTypeId.FLOAT_TYPE]: 6,
    [T.TTypeId.DOUBLE_TYPE]: 8,
    [T.TTypeId.STRING_TYPE]: 12,
    [T.TTypeId.TIMESTAMP_TYPE]: 93,
    [T.TTypeId.BINARY_TYPE]: -2,
    [T.TTypeId.ARRAY_TYPE]: 2003,
    [T.TTypeId.MAP_TYPE]: 2000,
    [T.TTypeId.STRUCT_TYPE]: 2002,
    [T.TTypeId.DECIMAL_TYPE]: 3,
    [T.TTypeId.NULL_TYPE]: 0,
    [T.TTypeId.DATE_TYPE]: 91,
  };
  return map[typeId] ?? 1111;
}

/** JDBC COLUMN_SIZE as the Spark Thrift server reports it. */
export function columnSize(type: ThriftColumnType): number | null {
  switch (type.typeId) {
    case T.TTypeId.BOOLEAN_TYPE:
      return 1;
    case T.TTypeId.TINYINT_TYPE:
      return 3;
    case T.TTypeId.SMALLINT_TYPE:
      return 5;
    case T.TTypeId.INT_TYPE:
      return 10;
    case T.TTypeId.BIGINT_TYPE:
      return 19;
    case T.TTypeId.FLOAT_TYPE:
      return 7;
    case T.TTypeId.DOUBLE_TYPE:
      return 15;
    case T.TTypeId.DECIMAL_TYPE:
      return type.precision ?? 38;
    case T.TTypeId.DATE_TYPE:
      return 10;
    case T.TTypeId.TIMESTAMP_TYPE:
      return 29;
    case T.TTypeId.STRING_TYPE:
      return 2147483647;
    default:
      return null;
  }
}
