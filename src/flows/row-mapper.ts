/**
 * Turns source rows into dataset rows with the domain's mapping plan (domain/mapping-plan.ts): each
 * mapping's converter is decided once per run against the live source columns and the dataset schema,
 * then applied to every row. A row with any cell that cannot be converted is not written; its errors
 * (column and reason) feed the run's row-error file and counters.
 */
import type { ColumnSchema, Row } from '../connectors/connector.ts';
import { cellsVector, type ColumnBatch, type ColumnVector } from '../domain/column-batch.ts';
import { ConvertFailure, type CellValue } from '../domain/conversion.ts';
import { fieldAt, type DatasetSchema } from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import { mapRow, planMapping, type MappingPlanEntry } from '../domain/mapping-plan.ts';
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
  /**
   * A column batch mapped column by column (keyed by dataset field), or undefined when some cell does not
   * convert (the caller maps that batch row by row, which reports each failing cell). A column that needs
   * no conversion keeps its typed buffers. Absent when a mapping writes into an object field.
   */
  readonly mapColumns?: (batch: ColumnBatch) => ColumnBatch | undefined;
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
  const mapColumns = entries.every((entry) => entry.path.length === 1)
    ? columnMapper(entries, schema)
    : undefined;
  return {
    sourceColumns: [...new Set(entries.map((entry) => entry.source))],
    ...(mapColumns === undefined ? {} : { mapColumns }),
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

/**
 * Whether a column's typed values are already what the entry's converter would give for each cell: an
 * identity conversion of typed buffers, or a decimal into a decimal field that holds every value as it is.
 */
function keepsBuffers(entry: MappingPlanEntry, vector: ColumnVector, schema: DatasetSchema): boolean {
  const { data } = vector;
  if (data.kind === 'cells') return false;
  if (entry.rule === 'identity') return true;
  if (entry.rule !== 'exact-decimal' || data.kind !== 'decimal128') return false;
  const field = fieldAt(schema, entry.destination);
  return field?.type === 'decimal' && field.scale === data.scale && (field.precision ?? 38) >= data.precision;
}

function columnMapper(
  entries: readonly MappingPlanEntry[],
  schema: DatasetSchema,
): (batch: ColumnBatch) => ColumnBatch | undefined {
  return (batch) => {
    const columns = new Map<string, ColumnVector>();
    for (const entry of entries) {
      const vector = batch.columns.get(entry.source);
      if (vector === undefined) continue; // a missing column reads as null, as in mapRow
      if (keepsBuffers(entry, vector, schema)) {
        columns.set(entry.destination, vector);
        continue;
      }
      const values: CellValue[] = new Array<CellValue>(batch.length);
      for (let index = 0; index < batch.length; index += 1) {
        const converted = entry.convert(vector.at(index));
        if (converted instanceof ConvertFailure) return undefined;
        values[index] = converted;
      }
      columns.set(entry.destination, cellsVector(values));
    }
    return { length: batch.length, columns };
  };
}
