/** `sluice explore <connectionId> [table] [--preview] [--count N] [--filter '<PQL JSON>']`. */
import type { TableRef } from '../../connectors/connector.ts';
import type { ExploreColumn } from '../../services/explore.ts';
import { formatTable } from '../table.ts';
import { resolveTenant, UsageError, type CliContext } from '../context.ts';

const cell = (value: string | number | boolean | null | undefined): string =>
  value === null || value === undefined ? 'null' : String(value);

export async function exploreCommand(ctx: CliContext): Promise<number> {
  const [connectionId, table] = ctx.args;
  if (!connectionId) {
    throw new UsageError(
      "usage: sluice explore <connectionId> [table] [--preview] [--count N] [--filter '<PQL JSON>']",
    );
  }
  const tenant = await resolveTenant(ctx);
  const preview = ctx.flags['preview'] === true || ctx.flags['filter'] !== undefined;
  const count = typeof ctx.flags['count'] === 'string' ? ctx.flags['count'] : undefined;
  const filter =
    typeof ctx.flags['filter'] === 'string' ? Buffer.from(ctx.flags['filter']).toString('base64') : undefined;
  const result = await ctx.sluice.explore.explore(tenant, connectionId, {
    objectType: table === undefined ? 'root' : 'table',
    ...(table === undefined ? {} : { object: table }),
    preview: table !== undefined && preview,
    count: count === undefined ? 10 : Number(count),
    ...(filter === undefined ? {} : { filters: filter }),
  });
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
