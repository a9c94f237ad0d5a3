/** `sluice explore <connectionId> [table] [--preview] [--count N] [--filter '<PQL JSON>']`. */
import type { TableRef } from '../../connectors/connector.ts';
import type { ExploreColumn } from '../../services/explore.ts';
import { formatTable } from '../table.ts';
import { emit, jsonOutput, UsageError, type CliContext } from '../context.ts';

const cell = (value: string | number | boolean | null | undefined): string =>
  value === null || value === undefined ? 'null' : String(value);

export async function exploreCommand(ctx: CliContext): Promise<number> {
  const [connectionId, table] = ctx.args;
  if (!connectionId) {
    throw new UsageError(
      "usage: sluice explore <connectionId> [table] [--preview] [--count N] [--filter '<PQL JSON>']",
    );
  }
  const preview = ctx.flags['preview'] === true || ctx.flags['filter'] !== undefined;
  const count = typeof ctx.flags['count'] === 'string' ? ctx.flags['count'] : undefined;
  const filter =
    typeof ctx.flags['filter'] === 'string' ? Buffer.from(ctx.flags['filter']).toString('base64') : undefined;
  // The API's query strings on both sides, so the server and the CLI validate them alike.
  const result = await ctx.backend.explore(connectionId, {
    objectType: table === undefined ? 'root' : 'table',
    ...(table === undefined ? {} : { object: table }),
    ...(table !== undefined && preview ? { preview: 'true' as const } : {}),
    ...(count === undefined || table === undefined || !preview ? {} : { count }),
    ...(filter === undefined || table === undefined ? {} : { filters: filter }),
  });
  if (jsonOutput(ctx)) {
    emit(ctx, result, () => undefined);
    return 0;
  }
  if (Array.isArray(result)) {
    const tables: TableRef[] = result;
    ctx.out(
      formatTable(
        ['TABLE (path)', 'PREVIEW', 'SCHEMA'],
        tables.map((t) => [t.path, t.canPreview ? 'yes' : 'no', t.canFetchSchema ? 'yes' : 'no']),
      ),
    );
    ctx.out(`${tables.length} table(s)`);
    return 0;
  }
  const columns: readonly ExploreColumn[] = result.schema.columns;
  ctx.out(
    formatTable(
      ['COLUMN', 'TYPE', 'XDM', 'META'],
      columns.map((column) => [
        column.name,
        column.type,
        column.xdm.format === undefined ? column.xdm.type : `${column.xdm.type} (${column.xdm.format})`,
        column.meta === undefined ? '' : JSON.stringify(column.meta),
      ]),
    ),
  );
  if ('data' in result) {
    ctx.out('');
    ctx.out(
      formatTable(
        columns.map((column) => column.name),
        result.data.map((row) => columns.map((column) => cell(row[column.name]))),
      ),
    );
    ctx.out(`${result.data.length} row(s)`);
  }
  return 0;
}
