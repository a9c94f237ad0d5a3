/**
 * Runs one statement for a session: Spark forms DuckDB lacks (USE, SHOW, DESCRIBE) are answered
 * from the catalogue, everything else is prepared, bound and streamed by DuckDB on a connection of
 * its own positioned on the session's catalog and schema.
 */
import type T from '@databricks/sql/thrift/TCLIService_types.js';
import type { Engine } from './engine.ts';
import * as meta from './metadata.ts';
import type { Session } from './operations.ts';
import { bindParameters } from './params.ts';
import { DuckResultSource, StaticResultSource, type ResultSource } from './results.ts';
import { fromDuckDbError, SqlError } from './sql-error.ts';
import { translate } from './translate.ts';

export async function runStatement(
  engine: Engine,
  session: Session,
  statement: string,
  parameters: T.TSparkParameter[],
): Promise<ResultSource> {
  let command;
  try {
    command = translate(statement);
  } catch (error) {
    throw new SqlError(`[PARSE_SYNTAX_ERROR] ${(error as Error).message} SQLSTATE: 42601`, '42601');
  }
  const current = { catalog: session.catalog, schema: session.schema };
  switch (command.kind) {
    case 'use': {
      const catalog =
        command.catalog === undefined ? session.catalog : await meta.requireCatalog(engine, command.catalog);
      const schemas = await engine.listSchemas(catalog);
      const schema =
        command.schema === undefined
          ? ((schemas.find((s) => s.schema === 'default') ?? schemas[0])?.schema ?? 'default')
          : await meta.requireSchema(engine, catalog, command.schema);
      session.catalog = catalog;
      session.schema = schema;
      return new StaticResultSource([], []);
    }
    case 'showCatalogs':
      return meta.showCatalogs(engine, command.pattern);
    case 'showSchemas':
      return meta.showSchemas(engine, command.catalog ?? session.catalog, command.pattern);
    case 'showTables':
      return meta.showTables(
        engine,
        command.catalog ?? session.catalog,
        command.schema ?? session.schema,
        command.pattern,
      );
    case 'describe':
      return meta.describeTable(engine, command.name, current, command.extended);
    case 'sql': {
      const connection = await engine.connect(session.catalog, session.schema);
      try {
        const prepared = await connection.prepare(command.sql);
        bindParameters(prepared, parameters);
        const result = await prepared.stream();
        return new DuckResultSource(result, connection);
      } catch (error) {
        connection.closeSync();
        throw fromDuckDbError(error, command.sql);
      }
    }
  }
}
