/**
 * Where things live under the lake directory, and how schema fields become engine columns.
 *
 *   datasets/<datasetId>/<batchId>/part-00000.parquet   committed or orphaned batch files
 *   datasets/<datasetId>/<batchId>/row-errors.jsonl     files beside a batch's data (`sideFileName`)
 *   _staging/<batchId>/                                 a batch being written (never read)
 *
 * Every path handed to or returned by the lake is relative to the lake directory and `/`-separated.
 * `resolveFile` accepts only paths of exactly the batch-file shape, so no caller-supplied path can
 * point outside the lake or at a staging file.
 */
import { join } from 'node:path';
import { BATCH_ID, DATASET_ID, type DatasetField, type DatasetSchema } from '../domain/dataset.ts';

export const STAGING = '_staging';
export const DATASETS = 'datasets';

const FILE_PATH = /^datasets\/([0-9a-f]{24})\/([0-9A-HJKMNP-TV-Z]{26})\/part-\d{5}\.parquet$/;

export const partName = (index: number): string => `part-${String(index).padStart(5, '0')}.parquet`;

export const batchPath = (datasetId: string, batchId: string): string =>
  `${DATASETS}/${datasetId}/${batchId}`;

/** Names a file beside a batch's data may have: lower-case words, one extension, no path. */
export const SIDE_FILE = /^[a-z][a-z0-9-]{0,62}\.(jsonl|json|txt)$/;

/** The relative path of a side file of a batch; throws for ids or names of another shape. */
export function sideFilePath(datasetId: string, batchId: string, name: string): string {
  assertIds(datasetId, batchId);
  if (!SIDE_FILE.test(name)) throw new Error(`invalid batch side file name ${JSON.stringify(name)}`);
  return `${batchPath(datasetId, batchId)}/${name}`;
}

export function assertIds(datasetId: string, batchId: string): void {
  if (!DATASET_ID.test(datasetId)) throw new Error(`invalid dataset id ${JSON.stringify(datasetId)}`);
  if (!BATCH_ID.test(batchId)) throw new Error(`invalid batch id ${JSON.stringify(batchId)}`);
}

/** The absolute path of a batch file given relative to the lake; throws for anything else. */
export function resolveFile(root: string, relative: string): string {
  if (!FILE_PATH.test(relative)) throw new Error(`not a lake batch file: ${JSON.stringify(relative)}`);
  return join(root, ...relative.split('/'));
}

/** A SQL string literal. */
export const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** A SQL identifier, always quoted (field names are validated, but quoting keeps keywords usable). */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The engine (and Parquet) type of a field: see docs/lake.md for the mapping. */
export function sqlType(field: DatasetField): string {
  switch (field.type) {
    case 'string':
      return 'VARCHAR';
    case 'boolean':
      return 'BOOLEAN';
    case 'integer':
      return 'INTEGER';
    case 'long':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE';
    case 'decimal':
      return `DECIMAL(${field.precision ?? 38},${field.scale ?? 9})`;
    case 'date':
      return 'DATE';
    case 'date-time':
      return 'TIMESTAMPTZ';
    case 'binary':
      return 'BLOB';
    case 'object':
      return `STRUCT(${(field.fields ?? []).map((member) => `${ident(member.name)} ${sqlType(member)}`).join(', ')})`;
  }
}

export const columnsSql = (schema: DatasetSchema): string =>
  schema.fields.map((field) => `${ident(field.name)} ${sqlType(field)}`).join(', ');
