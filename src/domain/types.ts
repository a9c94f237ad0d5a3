/**
 * Sluice's normalized column types, shared by connectors (what a source column is), datasets (what a
 * lake column is) and mappings (what converts to what). Documented in docs/types.md.
 */
export type NormalizedType =
  'string' | 'boolean' | 'integer' | 'long' | 'double' | 'decimal' | 'date' | 'date-time' | 'binary';

export const NORMALIZED_TYPES: readonly NormalizedType[] = [
  'string',
  'boolean',
  'integer',
  'long',
  'double',
  'decimal',
  'date',
  'date-time',
  'binary',
];

/** Temporal types: Adobe's explore shows them as `type: "string"` with `meta:xdmType` (reference §3.3). */
const TEMPORAL: readonly NormalizedType[] = ['date', 'date-time'];

/** A column's `type` as Adobe's explore shows it: `string` for dates and timestamps, else the type itself. */
export function adobeColumnType(type: NormalizedType): string {
  return TEMPORAL.includes(type) ? 'string' : type;
}

/**
 * The normalized type of a column as clients send it back (sourceConnection `params.columns`, a mapping
 * set's `sourceSchema`, dataset fields copied from explore): Adobe's shape (`type: "string"` with
 * `meta:xdmType: "date-time"` or `"date"`) and Sluice's own (`type: "date-time"`) both work. Undefined
 * when the type is none of them.
 */
export function normalizedTypeOf(column: {
  readonly type?: unknown;
  readonly 'meta:xdmType'?: unknown;
}): NormalizedType | undefined {
  const { type } = column;
  const xdmType = column['meta:xdmType'];
  if (type === 'string' && TEMPORAL.includes(xdmType as NormalizedType)) return xdmType as NormalizedType;
  return NORMALIZED_TYPES.includes(type as NormalizedType) ? (type as NormalizedType) : undefined;
}
