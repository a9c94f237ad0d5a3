/**
 * Datasets of the data lake (Adobe Catalog's dataSets) and their schema. A dataset's schema is a tree of
 * fields with Sluice's normalized types; `object` fields nest. Batches are the unit of visibility: a
 * batch's rows are visible only once its status is `success` (committed).
 */
import type { NormalizedType } from './types.ts';

export interface DatasetField {
  readonly name: string;
  readonly type: NormalizedType | 'object';
  /** For `object` fields: the nested fields. */
  readonly fields?: readonly DatasetField[];
  /** For `decimal`: precision and scale (default 38, 9). */
  readonly precision?: number;
  readonly scale?: number;
}

export interface DatasetSchema {
  readonly fields: readonly DatasetField[];
}

export type BatchStatus = 'loading' | 'success' | 'failed' | 'aborted';

/** Resolve a dotted destination path (e.g. `person.name.fullName`) in a schema. */
export function fieldAt(schema: DatasetSchema, path: string): DatasetField | undefined {
  let fields: readonly DatasetField[] | undefined = schema.fields;
  let found: DatasetField | undefined;
  for (const part of path.split('.')) {
    found = fields?.find((field) => field.name === part);
    if (!found) return undefined;
    fields = found.fields;
  }
  return found;
}

/** Every leaf path of a schema, dotted, in schema order. */
export function leafPaths(schema: DatasetSchema): string[] {
  const walk = (fields: readonly DatasetField[], prefix: string): string[] =>
    fields.flatMap((field) =>
      field.type === 'object' ? walk(field.fields ?? [], `${prefix}${field.name}.`) : [`${prefix}${field.name}`],
    );
  return walk(schema.fields, '');
}
