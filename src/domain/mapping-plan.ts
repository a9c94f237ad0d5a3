/**
 * The flow runner's side of a mapping: `planMapping` checks a pinned mapping against the run's actual
 * source columns and dataset schema and decides each column's converter once; `mapRow` applies the plan
 * to every row, producing an XDM-shaped record or every failing cell of the row.
 */
import {
  ConvertFailure,
  converterFor,
  type CellValue,
  type ConversionRule,
  type Converter,
} from './conversion.ts';
import { fieldAt, type DatasetSchema } from './dataset.ts';
import {
  sourceTypeOf,
  validateMappings,
  type ColumnLike,
  type MappingProblem,
  type MappingRef,
} from './mapping.ts';

/** One mapped column, ready for the runner: decided once per run, applied to every row. */
export interface MappingPlanEntry {
  readonly source: string;
  readonly destination: string;
  readonly path: readonly string[];
  readonly rule: ConversionRule;
  readonly convert: Converter;
}

export interface RowError {
  readonly source: string;
  readonly destination: string;
  readonly reason: string;
}

/**
 * The runner's plan for a mapping against the actual source columns and dataset schema. Fails with every
 * problem when the mapping does not fit them, so a run never starts with a mapping that cannot work.
 */
export function planMapping(
  mappings: readonly MappingRef[],
  sourceColumns: readonly ColumnLike[],
  target: DatasetSchema,
): { ok: true; entries: MappingPlanEntry[] } | { ok: false; problems: MappingProblem[] } {
  const problems = validateMappings(mappings, sourceColumns, target);
  if (problems.length > 0) return { ok: false, problems };
  const columns = new Map(sourceColumns.map((column) => [column.name, column]));
  const entries: MappingPlanEntry[] = [];
  for (const mapping of mappings) {
    const column = columns.get(mapping.sourceAttribute);
    const field = fieldAt(target, mapping.destinationXdmPath);
    // validateMappings guarantees both exist and convert; this guards the invariant.
    const converter = column && field ? converterFor(sourceTypeOf(column), field) : undefined;
    if (!converter?.ok)
      throw new Error(`mapping ${mapping.sourceAttribute} passed validation but cannot convert`);
    entries.push({
      source: mapping.sourceAttribute,
      destination: mapping.destinationXdmPath,
      path: mapping.destinationXdmPath.split('.'),
      rule: converter.rule,
      convert: converter.convert,
    });
  }
  return { ok: true, entries };
}

/**
 * One source row → one XDM-shaped record (nested objects along the destination paths). Null values are
 * left out (a missing field reads as null). Every cell that fails is reported; the record is then not usable.
 */
export function mapRow(
  entries: readonly MappingPlanEntry[],
  row: Readonly<Record<string, CellValue>>,
): { ok: true; record: Record<string, unknown> } | { ok: false; errors: RowError[] } {
  const record: Record<string, unknown> = {};
  const errors: RowError[] = [];
  for (const entry of entries) {
    const result = entry.convert(row[entry.source] ?? null);
    if (result instanceof ConvertFailure) {
      errors.push({ source: entry.source, destination: entry.destination, reason: result.reason });
    } else if (result !== null) {
      let node = record;
      for (const part of entry.path.slice(0, -1)) {
        const next = node[part];
        node = (typeof next === 'object' && next !== null ? next : (node[part] = {})) as Record<
          string,
          unknown
        >;
      }
      node[entry.path[entry.path.length - 1] ?? ''] = result;
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, record };
}
