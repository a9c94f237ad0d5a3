/**
 * The body of `POST /dataSets` (Catalog's shape): `name`, optional `description` and `tags`, and the
 * columns as Adobe's `schemaRef` (resolved in the Schema Registry by the dataset service) or Sluice's
 * own `schema: {fields}` (which wins when both are given; the schemaRef is then recorded as given).
 */
import { parseDatasetSchema, type Dataset } from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import { NORMALIZED_TYPES } from '../domain/types.ts';

export interface DatasetInput {
  readonly name?: unknown;
  readonly description?: unknown;
  readonly schema?: unknown;
  readonly schemaRef?: unknown;
  readonly tags?: unknown;
}

export const invalidDataset = (message: string, report: Record<string, unknown> = {}): AppError =>
  new AppError('CATALOG-1001-400', message, report);

/** Checks a dataset body field by field; `schema` is absent when only a `schemaRef` names the columns. */
export function parseDatasetInput(input: DatasetInput) {
  const { name, description, schema, schemaRef, tags } = input;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 256) {
    throw invalidDataset("'name' is required: a non-empty string of at most 256 characters.");
  }
  if (description !== undefined && typeof description !== 'string')
    throw invalidDataset("'description' must be a string.");
  if (schema === undefined && schemaRef === undefined) {
    throw invalidDataset(
      "'schemaRef' or 'schema' is required: schemaRef: { id: '<$id of a Schema Registry schema>', contentType: 'application/vnd.adobe.xed+json;version=1' }, or Sluice's schema: { fields: [{ name, type }] }.",
    );
  }
  const parsed = schema === undefined ? undefined : parseDatasetSchema(schema, NORMALIZED_TYPES);
  if (parsed?.ok === false)
    throw invalidDataset(`The dataset schema is invalid: ${parsed.problems.join('; ')}`, {
      problems: parsed.problems,
    });
  let ref: Dataset['schemaRef'];
  if (schemaRef !== undefined) {
    const candidate = schemaRef as { id?: unknown; contentType?: unknown } | null | string;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      typeof candidate.id !== 'string' ||
      (candidate.contentType !== undefined && typeof candidate.contentType !== 'string')
    ) {
      throw invalidDataset("'schemaRef' must be { id: string, contentType?: string }.");
    }
    ref = {
      id: candidate.id,
      ...(typeof candidate.contentType === 'string' ? { contentType: candidate.contentType } : {}),
    };
  }
  if (
    tags !== undefined &&
    (typeof tags !== 'object' ||
      tags === null ||
      Array.isArray(tags) ||
      !Object.values(tags).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string')))
  ) {
    throw invalidDataset("'tags' must map tag names to arrays of strings.");
  }
  return {
    name: name.trim(),
    ...(description === undefined ? {} : { description }),
    ...(parsed === undefined ? {} : { schema: parsed.schema }),
    ...(ref === undefined ? {} : { schemaRef: ref }),
    tags: (tags ?? {}) as Record<string, string[]>,
  };
}
