/**
 * Schema inference for schemaless Azure tables and the entity → `Row` conversion (docs/types.md).
 *
 * Guarantees:
 * - `PartitionKey`, `RowKey`, `Timestamp` are always the first three columns; others follow in order of
 *   first appearance in the sample;
 * - a property seen with one EDM type gets that type's normalized type; Int32 mixed with Int64 widens to
 *   long and Int32 mixed with Double to double (both lossless); any other mix is a `string` column with
 *   `meta.originalType: 'conflict'` and the EDM types seen, whose values are the text of each value;
 * - every column's `meta.sampled` says in how many of the sampled entities the property was present.
 */
import type { ColumnSchema, NormalizedType, Row } from '../connector.ts';
import { column, toRowValue, ValueConversionError, type RowValue } from '../values.ts';
import type { EdmType, EdmValue, RawEntity } from './sdk.ts';

const NORMALIZED: Readonly<Record<EdmType, NormalizedType>> = {
  String: 'string',
  Guid: 'string',
  Int32: 'integer',
  Int64: 'long',
  Double: 'double',
  Boolean: 'boolean',
  DateTime: 'date-time',
  Binary: 'binary',
};

const SYSTEM: readonly [string, EdmType][] = [
  ['PartitionKey', 'String'],
  ['RowKey', 'String'],
  ['Timestamp', 'DateTime'],
];

interface Seen {
  readonly types: Set<EdmType>;
  present: number;
}

export function inferColumns(entities: readonly RawEntity[]): ColumnSchema[] {
  const seen = new Map<string, Seen>(
    SYSTEM.map(([name]) => [name, { types: new Set<EdmType>(), present: 0 }]),
  );
  for (const entity of entities) {
    for (const [name, cell] of entity) {
      let stats = seen.get(name);
      if (stats === undefined) seen.set(name, (stats = { types: new Set(), present: 0 }));
      stats.types.add(cell.type);
      stats.present++;
    }
  }
  const sampled = (present: number) => ({ present, of: entities.length });
  return [...seen].map(([name, stats]) => {
    const system = SYSTEM.find(([n]) => n === name);
    const types = [...stats.types].sort();
    if (system !== undefined && types.every((t) => t === system[1])) {
      return column(name, NORMALIZED[system[1]], {
        originalType: `Edm.${system[1]}`,
        sampled: sampled(stats.present),
      });
    }
    const only = types.length === 1 ? types[0] : undefined;
    if (only !== undefined) {
      return column(name, NORMALIZED[only], { originalType: `Edm.${only}`, sampled: sampled(stats.present) });
    }
    const seenTypes = types.map((t) => `Edm.${t}`);
    const widened = widen(types);
    if (widened !== undefined) {
      return column(name, NORMALIZED[widened], {
        originalType: `Edm.${widened}`,
        seenTypes,
        sampled: sampled(stats.present),
      });
    }
    return column(name, 'string', { originalType: 'conflict', seenTypes, sampled: sampled(stats.present) });
  });
}

function widen(types: readonly EdmType[]): EdmType | undefined {
  const key = types.join(',');
  if (key === 'Int32,Int64') return 'Int64';
  if (key === 'Double,Int32') return 'Double';
  return undefined;
}

/** True when the column's values all carry the column's own EDM type (filters on it may go to Azure). */
export function isUniformColumn(col: ColumnSchema): boolean {
  const original = col.meta?.originalType;
  return typeof original === 'string' && original.startsWith('Edm.') && col.meta?.seenTypes === undefined;
}

/** The value in the cell's own type: numbers for Int32/Double, digits for Int64, ISO text for DateTime... */
function ownValue(cell: EdmValue): RowValue {
  try {
    return toRowValue(NORMALIZED[cell.type], cell.value);
  } catch (error) {
    // Only a service payload that breaks its own EDM type gets here; its text is the most faithful value.
    if (error instanceof ValueConversionError) return cell.value;
    throw error;
  }
}

/**
 * One cell as a value of `type`. A cell whose EDM type does not fit (a conflict column, or a type first
 * met beyond the sample) becomes its text in a string column, or its own typed value otherwise, so the
 * filter sees it as incomparable rather than as a wrong value.
 */
export function cellValue(cell: EdmValue | undefined, type: NormalizedType): RowValue {
  if (cell === undefined) return null;
  const native = cell.native;
  if (native !== undefined) {
    // The parsed JSON value, where converting its text would give it back (a zero is never negative there).
    if (typeof native === 'boolean') {
      if (type === 'boolean' && cell.type === 'Boolean') return native;
    } else if (type === 'double' && (cell.type === 'Double' || cell.type === 'Int32')) {
      if (Number.isFinite(native)) return native === 0 ? 0 : native;
    } else if (type === 'integer' && cell.type === 'Int32') {
      if (Number.isInteger(native) && native >= -2_147_483_648 && native <= 2_147_483_647)
        return native === 0 ? 0 : native;
    }
  }
  if (type === 'string') {
    return cell.type === 'String' || cell.type === 'Guid' ? cell.value : String(ownValue(cell));
  }
  if (
    NORMALIZED[cell.type] === type ||
    (type === 'long' && cell.type === 'Int32') ||
    (type === 'double' && cell.type === 'Int32')
  ) {
    try {
      return toRowValue(type, cell.value);
    } catch (error) {
      if (!(error instanceof ValueConversionError)) throw error;
    }
  }
  return ownValue(cell);
}

export function toRow(entity: RawEntity, columns: readonly ColumnSchema[]): Row {
  const row: Row = {};
  for (const col of columns) row[col.name] = cellValue(entity.get(col.name), col.type);
  return row;
}
