/**
 * Read-only SQL over committed dataset files.
 *
 * Guarantees:
 * - Each query runs in its own in-memory engine instance. `dataset('<name or id>')` references are
 *   replaced by views over exactly the files the caller passed for that dataset; then the instance is
 *   locked down (`allowed_paths` = those files, `enable_external_access = false`,
 *   `lock_configuration = true`, no extension loading), so the SQL cannot read any other file, list
 *   directories, or change settings, whatever functions it names.
 * - Only a single SELECT statement (including WITH … SELECT) runs; anything else is refused before it
 *   executes.
 * - At most `maxRows` rows are returned (`truncated` says more existed), and a query still running after
 *   `timeoutMs` is interrupted.
 */
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import type { DatasetSchema } from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import { ident, literal, resolveFile, sqlType } from './layout.ts';
import { fromDuck, type LakeValue } from './output-values.ts';

export interface QueryDataset {
  /** Committed batch files, relative to the lake directory. */
  readonly files: readonly string[];
  /** The dataset's schema: gives an empty dataset its columns. */
  readonly schema: DatasetSchema;
}

export interface QueryOptions {
  readonly maxRows?: number;
  readonly timeoutMs?: number;
}

export interface QueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly LakeValue[])[];
  readonly truncated: boolean;
}

const REFERENCE = /\bdataset\s*\(\s*'((?:[^']|'')*)'\s*\)/gi;

/** The dataset names or ids a query refers to with `dataset('…')`, in order of first use. */
export function datasetReferences(sql: string): string[] {
  return [...new Set([...sql.matchAll(REFERENCE)].map((match) => (match[1] ?? '').replaceAll("''", "'")))];
}

const refuse = (message: string): AppError => new AppError('LAKE-1001-400', message, { kind: 'query' });
const failed = (message: string): AppError => new AppError('LAKE-1002-400', message, { kind: 'query' });

export async function runQuery(
  root: string,
  sql: string,
  datasets: ReadonlyMap<string, QueryDataset>,
  options: QueryOptions = {},
): Promise<QueryResult> {
  const maxRows = options.maxRows ?? 1000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const references = datasetReferences(sql);
  if (references.length === 0) {
    throw refuse("The query reads no dataset; name one with dataset('<name or id>').");
  }
  const views = new Map<string, string>();
  references.forEach((name, index) => views.set(name, `dataset_${index}`));
  for (const name of references) {
    if (!datasets.has(name))
      throw new AppError('FLOW-1439-404', `The dataset '${name}' is not found.`, { dataset: name });
  }
  const rewritten = sql.replace(REFERENCE, (_match, name: string) =>
    ident(views.get(name.replaceAll("''", "'")) ?? ''),
  );

  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    threads: '2',
    memory_limit: '1GB',
  });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const allowed: string[] = [];
    for (const [name, dataset] of datasets) {
      const view = views.get(name);
      if (view === undefined) continue;
      const files = dataset.files.map((file) => resolveFile(root, file));
      allowed.push(...files);
      const body =
        files.length > 0
          ? `SELECT * FROM read_parquet([${files.map(literal).join(', ')}])`
          : `SELECT ${dataset.schema.fields.map((field) => `CAST(NULL AS ${sqlType(field)}) AS ${ident(field.name)}`).join(', ')} LIMIT 0`;
      await connection.run(`CREATE VIEW ${ident(view)} AS ${body}`);
    }
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(`SET allowed_paths = [${allowed.map(literal).join(', ')}]`);
    await connection.run('SET enable_external_access = false');
    await connection.run('SET lock_configuration = true');

    const statements = await connection.extractStatements(rewritten).catch((error: unknown) => {
      throw failed(`The query is not valid SQL: ${messageOf(error, root)}`);
    });
    if (statements.count !== 1) throw refuse(`Send exactly one SELECT statement (got ${statements.count}).`);
    const prepared = await statements.prepare(0).catch((error: unknown) => {
      throw refuse(`The query cannot run: ${messageOf(error, root)}`);
    });
    if (prepared.statementType !== StatementType.SELECT) {
      throw refuse('Only SELECT (or WITH … SELECT) statements may run against the lake.');
    }

    const active = connection;
    const deadline = { passed: false };
    const timer = setTimeout(() => {
      deadline.passed = true;
      active.interrupt();
    }, timeoutMs);
    try {
      const reader = await prepared.streamAndReadUntil(maxRows + 1);
      const names = reader.columnNames();
      const types = reader.columnTypes();
      const rows = reader.getRows();
      return {
        columns: names.map((name, index) => ({ name, type: types[index]?.toString() ?? 'UNKNOWN' })),
        rows: rows.slice(0, maxRows).map((row) => row.map(fromDuck)),
        truncated: rows.length > maxRows,
      };
    } catch (error) {
      if (deadline.passed)
        throw new AppError(
          'LAKE-1003-400',
          `The query ran longer than ${timeoutMs} ms and was stopped; narrow it or add a LIMIT.`,
          { kind: 'query' },
        );
      throw failed(`The query failed: ${messageOf(error, root)}`);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    connection?.closeSync();
    instance.closeSync();
  }
}

/** The engine's first message line, without the absolute lake directory (it reveals the host's layout). */
function messageOf(error: unknown, root: string): string {
  const text = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return text.replaceAll(root, '<lake>');
}
