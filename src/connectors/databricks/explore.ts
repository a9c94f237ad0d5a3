/**
 * Explore and preview over the SQL endpoint of the connection's cluster.
 *
 * Table paths: `listTables` returns `database.table` (a part backtick-quoted when it is not
 * `[A-Za-z0-9_]+`). `describeTable` and `preview` also accept `table` (the connection's database) and a
 * fully qualified `catalog.database.table`. A path may name a database other than the connection's: the
 * token's grants in Databricks are the access boundary, as they are for any SQL the token could run.
 */
import { AppError } from '../../domain/errors.ts';
import type {
  AuthParams,
  ColumnSchema,
  ConnectorContext,
  PreviewRequest,
  PreviewResult,
  Row,
  TableRef,
} from '../connector.ts';
import { validateFilter } from '../filter.ts';
import { toRowValue, ValueConversionError } from '../values.ts';
import type { Workspace } from './params.ts';
import { withExploreSession } from './session.ts';
import type { SqlSession } from './sql-client.ts';
import { compileFilter, parseTablePath, pathPart, quoteIdent } from './sql-text.ts';
import { selectExpression, sparkColumn } from './spark-types.ts';

/** The namespace (`catalog`.`database` or `database`) of the connection, quoted. */
const namespaceOf = (
  workspace: Workspace,
  database = workspace.database,
  catalog = workspace.catalog,
): string =>
  catalog === undefined ? quoteIdent(database) : `${quoteIdent(catalog)}.${quoteIdent(database)}`;

/** The quoted SQL name of an explore path, resolved against the connection's catalog and database. */
export const qualifiedName = (workspace: Workspace, path: string): string => {
  const parts = parseTablePath(path);
  if (parts.length === 3) return parts.map(quoteIdent).join('.');
  const [database, table] = parts.length === 2 ? parts : [workspace.database, parts[0]];
  return `${namespaceOf(workspace, database)}.${quoteIdent(table ?? '')}`;
};

const firstString = (row: Record<string, unknown>, ...keys: string[]): string => {
  for (const key of keys) {
    const value = row[key];
    if (typeof value === 'string') return value;
  }
  return '';
};

export const listTables = (params: AuthParams, ctx: ConnectorContext): Promise<TableRef[]> =>
  withExploreSession(params, ctx, async (session, workspace) => {
    const rows = await session.query(`SHOW TABLES IN ${namespaceOf(workspace)}`);
    return rows
      .filter((row) => row.isTemporary !== true)
      .map((row) => {
        const database = firstString(row, 'database', 'namespace') || workspace.database;
        const path = `${pathPart(database)}.${pathPart(firstString(row, 'tableName'))}`;
        return { type: 'table' as const, name: path, path, canPreview: true, canFetchSchema: true };
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  });

/** DESCRIBE TABLE rows up to the first blank or `#` section (partitioning, detailed info). */
const describe = async (session: SqlSession, name: string): Promise<ColumnSchema[]> => {
  const rows = await session.query(`DESCRIBE TABLE ${name}`);
  const columns: ColumnSchema[] = [];
  for (const row of rows) {
    const colName = firstString(row, 'col_name');
    if (colName === '' || colName.startsWith('#')) break;
    columns.push(sparkColumn(colName, firstString(row, 'data_type')));
  }
  return columns;
};

export const describeTable = (
  params: AuthParams,
  table: string,
  ctx: ConnectorContext,
): Promise<ColumnSchema[]> =>
  withExploreSession(
    params,
    ctx,
    (session, workspace) => describe(session, qualifiedName(workspace, table)),
    table,
  );

/**
 * `SELECT <exact casts> FROM <table> [WHERE <filter with bound params>] LIMIT ?`: the LIMIT is bound to the
 * request's count, so the cluster returns at most `count` rows whatever the table's size.
 */
export const preview = (
  params: AuthParams,
  request: PreviewRequest,
  ctx: ConnectorContext,
): Promise<PreviewResult> =>
  withExploreSession(
    params,
    ctx,
    async (session, workspace) => {
      const name = qualifiedName(workspace, request.table);
      const columns = await describe(session, name);
      if (columns.length === 0) {
        throw new AppError('CONNECTOR-1340-404', `The table ${request.table} has no columns to preview.`, {
          table: request.table,
        });
      }
      if (request.filter !== undefined) validateFilter(request.filter, columns);
      const filter = request.filter === undefined ? undefined : compileFilter(request.filter, columns);
      const sql =
        `SELECT ${columns.map(selectExpression).join(', ')} FROM ${name}` +
        (filter === undefined ? '' : ` WHERE ${filter.sql}`) +
        ' LIMIT ?';
      const count = Math.max(1, Math.min(100, Math.trunc(request.count)));
      const raw = await session.query(sql, [...(filter?.params ?? []), count]);
      return { columns, rows: raw.slice(0, count).map((r) => toRow(r, columns)) };
    },
    request.table,
  );

const toRow = (raw: Record<string, unknown>, columns: readonly ColumnSchema[]): Row => {
  const row: Row = {};
  for (const col of columns) {
    try {
      row[col.name] = toRowValue(col.type, raw[col.name]);
    } catch (error) {
      if (!(error instanceof ValueConversionError)) throw error;
      throw new AppError(
        'CONNECTOR-1502-502',
        `Databricks returned a value for column "${col.name}" that does not fit its type: ${error.message}.`,
        { column: col.name },
      );
    }
  }
  return row;
};
