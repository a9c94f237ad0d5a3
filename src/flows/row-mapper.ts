/**
 * Turns source rows into dataset rows with the domain's mapping plan (domain/mapping-plan.ts): each
 * mapping's converter is decided once per run against the live source columns and the dataset schema,
 * then applied to every row. A row with any cell that cannot be converted is not written; its errors
 * (column and reason) feed the run's row-error file and counters.
 */
import type { ColumnSchema, Row } from '../connectors/connector.ts';
import type { DatasetSchema } from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import { mapRow, planMapping } from '../domain/mapping-plan.ts';
import type { MappingRef } from '../domain/mapping.ts';

export type MappingPair = MappingRef;

export interface RowError {
  readonly column: string;
  readonly reason: string;
}

export type MappedRow =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly errors: RowError[] };

export interface RowMapper {
  map(row: Row): MappedRow;
  /** The source columns the mapping reads (what to ask the connector for). */
  readonly sourceColumns: readonly string[];
}

export function createRowMapper(
  mappings: readonly MappingPair[],
  sourceColumns: readonly ColumnSchema[],
  schema: DatasetSchema,
): RowMapper {
  const plan = planMapping(mappings, sourceColumns, schema);
  if (!plan.ok) {
    throw new AppError(
      'FLOW-1419-400',
      `The mapping no longer fits the source or the dataset: ${plan.problems.map((p) => p.message).join('; ')}`,
    );
  }
  const { entries } = plan;
  return {
    sourceColumns: [...new Set(entries.map((entry) => entry.source))],
    map(row) {
      const mapped = mapRow(entries, row);
      return mapped.ok
        ? { ok: true, value: mapped.record }
        : {
            ok: false,
            errors: mapped.errors.map((error) => ({ column: error.source, reason: error.reason })),
          };
    },
  };
}

/** Without a Mapping transformation, every declared source column lands in the dataset field of its name. */
export const identityMappings = (columns: readonly { readonly name: string }[]): MappingPair[] =>
  columns.map((column) => ({ sourceAttribute: column.name, destinationXdmPath: column.name }));
