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
