/** `sluice query "<SELECT … FROM dataset('<name or id>')>" [--max-rows N]`: read-only SQL over committed batches. */
import { AppError } from '../../domain/errors.ts';
import type { Tenant } from '../../domain/tenancy.ts';
import type { LakeValue } from '../../lake/index.ts';
import type { Sluice } from '../../sluice.ts';
import { formatTable } from '../table.ts';
import { splitArgs } from './datasets.ts';

export const QUERY_USAGE = `usage: sluice query "SELECT … FROM dataset('<name or id>')" [--max-rows N]`;

const cell = (value: LakeValue): string =>
  value === null ? 'null' : typeof value === 'object' ? JSON.stringify(value) : String(value);

export async function queryCommand(
  sluice: Sluice,
  tenant: Tenant,
  args: string[],
  out: (line: string) => void,
): Promise<number> {
  const { positional, values } = splitArgs(args, ['max-rows']);
  const sql = positional.join(' ').trim();
  if (sql === '') throw new AppError('FLOW-1407-400', QUERY_USAGE);
  const maxRowsText = values['max-rows'];
  const maxRows = maxRowsText === undefined ? 1000 : Number(maxRowsText);
  if (!Number.isSafeInteger(maxRows) || maxRows < 1)
    throw new AppError('FLOW-1402-400', '--max-rows must be a positive integer.');
  const result = await sluice.datasets.query(tenant, sql, { maxRows });
  out(
    formatTable(
      result.columns.map((column) => column.name),
      result.rows.map((row) => row.map(cell)),
    ),
  );
  out(
    `${result.rows.length} row(s)${result.truncated ? ` (truncated at ${maxRows}; raise --max-rows or add a LIMIT)` : ''}`,
  );
  return 0;
}
