/**
 * Catalog representations (Adobe's shapes): objects are returned keyed by their id, creation returns
 * `["@/dataSets/<id>"]`, and `properties=a,b` trims each object to those top-level keys.
 */
import type { Batch, Dataset } from '../../../domain/dataset.ts';
import { AppError } from '../../../domain/errors.ts';

export const CATALOG_PREFIX = '/data/foundation/catalog';

export function datasetView(dataset: Dataset): Record<string, unknown> {
  return {
    name: dataset.name,
    ...(dataset.description === undefined ? {} : { description: dataset.description }),
    imsOrg: dataset.imsOrg,
    sandboxId: dataset.sandboxId,
    sandboxName: dataset.sandboxName,
    state: dataset.state,
    tags: dataset.tags,
    schema: dataset.schema,
    ...(dataset.schemaRef === undefined ? {} : { schemaRef: dataset.schemaRef }),
    created: dataset.created,
    updated: dataset.updated,
    createdUser: dataset.createdUser,
    createdClient: dataset.createdClient,
    updatedUser: dataset.updatedUser,
    version: '1.0.0',
    files: `@/dataSets/${dataset.id}/batches`,
  };
}

export function batchView(batch: Batch): Record<string, unknown> {
  return {
    id: batch.id,
    imsOrg: batch.imsOrg,
    sandboxId: batch.sandboxId,
    status: batch.status,
    created: batch.created,
    updated: batch.updated,
    started: batch.started,
    completed: batch.completed,
    relatedObjects: [
      { type: 'dataSet', id: batch.datasetId },
      ...(batch.flowId === null ? [] : [{ type: 'flow', id: batch.flowId }]),
      ...(batch.runId === null ? [] : [{ type: 'flowRun', id: batch.runId }]),
    ],
    metrics: {
      recordsRead: batch.records,
      recordsWritten: batch.records,
      outputByteSize: batch.bytes,
      outputFileCount: batch.files.length,
    },
    errors: batch.errors,
  };
}

/** `properties=a,b`: keep only those keys of each object (unknown names are ignored, as Catalog does). */
export function pickProperties(view: Record<string, unknown>, properties: unknown): Record<string, unknown> {
  if (properties === undefined) return view;
  if (typeof properties !== 'string' || properties.trim() === '') {
    throw new AppError('FLOW-1401-400', "'properties' must be a comma-separated list of property names.");
  }
  const wanted = new Set(properties.split(',').map((name) => name.trim()));
  return Object.fromEntries(Object.entries(view).filter(([key]) => wanted.has(key)));
}

/** A non-negative integer query parameter within [min, max], or the default. */
export function intParam(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new AppError(
      name === 'limit' ? 'FLOW-1402-400' : 'FLOW-1401-400',
      `'${name}' must be an integer from ${min} to ${max}.`,
      {
        [name]: raw,
      },
    );
  }
  return value;
}
