/**
 * The SQL engine: one in-memory DuckDB instance. Each fixture catalog is an attached in-memory
 * database and each database a schema in it. Every operation runs on its own DuckDB connection
 * (cheap), positioned on the session's current catalog and schema, so a long streaming result is
 * never invalidated by the next statement of the same session.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import type { TableFixture, WorkspaceFixture } from './fixture.ts';
import { sparkToDuckType } from './spark-types.ts';
import { duckCatalogName, sparkCatalogName } from './translate.ts';

const hiddenDatabases = new Set(['memory', 'system', 'temp']);
const hiddenSchemas = new Set(['information_schema', 'pg_catalog']);

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export interface ColumnInfo {
  catalog: string;
  schema: string;
  table: string;
  column: string;
  type: DuckDBType;
  ordinal: number;
  nullable: boolean;
}

export interface TableInfo {
  catalog: string;
  schema: string;
  table: string;
  type: 'TABLE' | 'VIEW';
}

/** JSON text for fixture values, keeping bigints exact (JSON.stringify refuses them). */
function toJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** A fixture value as a DuckDB expression of the column's type. */
function literal(value: unknown, duckType: string): string {
  if (value === null || value === undefined) return `CAST(NULL AS ${duckType})`;
  if (value instanceof Uint8Array) return `from_hex(${quoteString(Buffer.from(value).toString('hex'))})`;
  if (value instanceof Date)
    return `CAST(${quoteString(value.toISOString().replace('T', ' ').replace('Z', ''))} AS ${duckType})`;
  if (Array.isArray(value) || typeof value === 'object') {
    return `CAST(CAST(${quoteString(toJson(value))} AS JSON) AS ${duckType})`;
  }
  if (typeof value === 'string') return `CAST(${quoteString(value)} AS ${duckType})`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return `CAST(${String(value)} AS ${duckType})`;
  }
  throw new Error(`unsupported fixture value: ${typeof value}`);
}

export class Engine {
  readonly instance: DuckDBInstance;
  readonly defaultCatalog: string;
  readonly defaultSchema: string;
  private readonly admin: DuckDBConnection;
  /** Schemas DuckDB creates by itself ("main") are hidden unless the fixture declared them. */
  private readonly declaredMain = new Set<string>();

  private constructor(instance: DuckDBInstance, admin: DuckDBConnection, fixture: WorkspaceFixture) {
    this.instance = instance;
    this.admin = admin;
    const first = fixture.catalogs[0];
    this.defaultCatalog = first?.name ?? 'hive_metastore';
    this.defaultSchema = first?.databases[0]?.name ?? 'default';
  }

  static async create(fixture: WorkspaceFixture): Promise<Engine> {
    const instance = await DuckDBInstance.create(':memory:');
    const admin = await instance.connect();
    const engine = new Engine(instance, admin, fixture);
    if (fixture.catalogs.length === 0) fixture.catalogs.push({ name: 'hive_metastore', databases: [] });
    for (const catalog of fixture.catalogs) {
      const db = quoteIdent(duckCatalogName(catalog.name));
      await admin.run(`ATTACH ':memory:' AS ${db}`);
      if (catalog.databases.length === 0) catalog.databases.push({ name: 'default', tables: [] });
      for (const database of catalog.databases) {
        if (database.name.toLowerCase() === 'main') engine.declaredMain.add(catalog.name.toLowerCase());
        await admin.run(`CREATE SCHEMA IF NOT EXISTS ${db}.${quoteIdent(database.name)}`);
        for (const table of database.tables)
          await engine.createTable(`${db}.${quoteIdent(database.name)}`, table);
      }
    }
    return engine;
  }

  private async createTable(schemaRef: string, table: TableFixture): Promise<void> {
    const ref = `${schemaRef}.${quoteIdent(table.name)}`;
    const types = table.columns.map((c) => sparkToDuckType(c.type));
    const columns = table.columns.map((c, i) => `${quoteIdent(c.name)} ${types[i]!}`);
    await this.admin.run(`CREATE TABLE ${ref} (${columns.join(', ')})`);
    const rows = table.rows ?? [];
    for (let start = 0; start < rows.length; start += 500) {
      const values = rows
        .slice(start, start + 500)
        .map((row) => `(${types.map((type, i) => literal(row[i], type)).join(', ')})`);
      await this.admin.run(`INSERT INTO ${ref} VALUES ${values.join(', ')}`);
    }
    if (table.generate) {
      const count = Math.max(0, Math.floor(table.generate.count));
      await this.admin.run(`INSERT INTO ${ref} SELECT ${table.generate.select} FROM range(${count}) AS r(i)`);
    }
  }

  /** Runs DuckDB SQL as-is (test setup). Parameters bind positionally to `?` / `$1`. */
  async exec(sql: string, params: unknown[] = []): Promise<void> {
    await this.admin.run(sql, params as never);
  }

  /** A new connection positioned on catalog.schema (Spark names). */
  async connect(catalog: string, schema: string): Promise<DuckDBConnection> {
    const connection = await this.instance.connect();
    await connection.run(`USE ${quoteIdent(duckCatalogName(catalog))}.${quoteIdent(schema)}`);
    return connection;
  }

  async listCatalogs(): Promise<string[]> {
    const reader = await this.admin.runAndReadAll(
      'SELECT database_name FROM duckdb_databases() WHERE NOT internal ORDER BY database_name',
    );
    return reader
      .getRows()
      .map((row) => String(row[0]))
      .filter((name) => !hiddenDatabases.has(name))
      .map(sparkCatalogName);
  }

  async listSchemas(catalog?: string): Promise<{ catalog: string; schema: string }[]> {
    const reader = await this.admin.runAndReadAll(
      'SELECT database_name, schema_name FROM duckdb_schemas() WHERE NOT internal ORDER BY 1, 2',
    );
    return reader
      .getRows()
      .map((row) => ({ catalog: sparkCatalogName(String(row[0])), schema: String(row[1]) }))
      .filter((s) => !hiddenDatabases.has(s.catalog) && !hiddenSchemas.has(s.schema))
      .filter((s) => s.schema !== 'main' || this.declaredMain.has(s.catalog.toLowerCase()))
      .filter((s) => catalog === undefined || s.catalog.toLowerCase() === catalog.toLowerCase());
  }

  async listTables(catalog?: string, schema?: string): Promise<TableInfo[]> {
    const reader = await this.admin.runAndReadAll(
      `SELECT database_name, schema_name, table_name, 'TABLE' FROM duckdb_tables() WHERE NOT internal
       UNION ALL SELECT database_name, schema_name, view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal
       ORDER BY 1, 2, 3`,
    );
    const visible = new Set((await this.listSchemas(catalog)).map((s) => `${s.catalog}\u0000${s.schema}`));
    return reader
      .getRows()
      .map((row) => ({
        catalog: sparkCatalogName(String(row[0])),
        schema: String(row[1]),
        table: String(row[2]),
        type: String(row[3]) as 'TABLE' | 'VIEW',
      }))
      .filter((t) => visible.has(`${t.catalog}\u0000${t.schema}`))
      .filter((t) => schema === undefined || t.schema.toLowerCase() === schema.toLowerCase());
  }

  /** Column types come from preparing `SELECT * FROM t`, so they are exactly what a query returns. */
  async describeTable(catalog: string, schema: string, table: string): Promise<ColumnInfo[]> {
    const ref = [duckCatalogName(catalog), schema, table].map(quoteIdent).join('.');
    const prepared = await this.admin.prepare(`SELECT * FROM ${ref}`);
    const notNull = await this.admin.runAndReadAll(
      `SELECT column_name, is_nullable FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3`,
      [duckCatalogName(catalog), schema, table],
    );
    const nullable = new Map(notNull.getRows().map((row) => [String(row[0]), row[1] === true]));
    const columns: ColumnInfo[] = [];
    for (let i = 0; i < prepared.columnCount; i++) {
      const column = prepared.columnName(i);
      columns.push({
        catalog,
        schema,
        table,
        column,
        type: prepared.columnType(i),
        ordinal: i,
        nullable: nullable.get(column) ?? true,
      });
    }
    prepared.destroySync();
    return columns;
  }

  close(): void {
    this.admin.closeSync();
    this.instance.closeSync();
  }
}
