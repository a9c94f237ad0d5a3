/** `sluice query "<SELECT … FROM dataset('<name or id>')>" [--max-rows N]`: read-only SQL over committed batches
 * (remotely: POST /data/foundation/query/queries, the same locked-down query, at most 10,000 rows). */
import type { LakeValue } from '../../lake/index.ts';
import { emit, positiveIntFlag, UsageError, type CliContext } from '../context.ts';
import { formatTable } from '../table.ts';

export const QUERY_USAGE = `usage: sluice query "SELECT … FROM dataset('<name or id>')" [--max-rows N]`;

const cell = (value: LakeValue): string =>
  value === null ? 'null' : typeof value === 'object' ? JSON.stringify(value) : String(value);

export async function queryCommand(ctx: CliContext): Promise<number> {
  const { out } = ctx;
  const sql = ctx.args.join(' ').trim();
  if (sql === '') throw new UsageError(QUERY_USAGE);
  const maxRows = positiveIntFlag(ctx, 'max-rows', 1000);
  const result = await ctx.backend.query(sql, maxRows);
  emit(ctx, result, () => {
    out(
      formatTable(
        result.columns.map((column) => column.name),
        result.rows.map((row) => row.map(cell)),
      ),
    );
    out(
      `${result.rows.length} row(s)${result.truncated ? ` (truncated at ${maxRows}; raise --max-rows or add a LIMIT)` : ''}`,
    );
  });
  return 0;
}
