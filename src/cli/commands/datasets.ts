/**
 * `sluice datasets list | create <name> --schema <file.json> [--description <text>] | show <id or name>`
 * in-process over the dataset service or remotely over the Catalog API (GET/POST /dataSets, a dataset's
 * batches). Refusals are AppErrors (exit 1), wrong calls UsageErrors (exit 2); the return value is the exit code.
 */
import { readFile } from 'node:fs/promises';
import { leafPaths, fieldAt } from '../../domain/dataset.ts';
import { AppError } from '../../domain/errors.ts';
import type { BatchInfo } from '../backend.ts';
import { emit, stringFlag, UsageError, type CliContext } from '../context.ts';
import { formatTable } from '../table.ts';

export const DATASETS_USAGE =
  'usage: sluice datasets list | create <name> --schema <file.json> [--description <text>] | show <id or name>';

const iso = (millis: number | null): string => (millis === null ? '' : new Date(millis).toISOString());

async function readSchemaFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError('FLOW-1407-400', `Cannot read the schema file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('FLOW-1406-400', `The schema file ${path} is not valid JSON.`);
  }
  // Either the schema itself ({ fields }) or a dataset body ({ schema: { fields } }).
  const wrapped = parsed as { schema?: unknown; fields?: unknown } | null;
  return wrapped !== null &&
    typeof wrapped === 'object' &&
    wrapped.fields === undefined &&
    wrapped.schema !== undefined
    ? wrapped.schema
    : parsed;
}

const batchRow = (batch: BatchInfo): string[] => [
  batch.id,
  batch.status,
  String(batch.records),
  String(batch.bytes),
  String(batch.files),
  iso(batch.completed),
];

export async function datasetsCommand(ctx: CliContext): Promise<number> {
  const [sub, ...positional] = ctx.args;
  const { backend, out } = ctx;
  const schemaFile = stringFlag(ctx, 'schema');
  const description = stringFlag(ctx, 'description');
  if (sub !== 'list' && sub !== 'create' && sub !== 'show') throw new UsageError(DATASETS_USAGE);
  if (sub !== 'list' && positional[0] === undefined) throw new UsageError(DATASETS_USAGE);
  if (sub === 'create' && schemaFile === undefined) throw new UsageError(DATASETS_USAGE);
  switch (sub) {
    case 'list': {
      const datasets = await backend.listDatasets();
      emit(ctx, datasets, () => {
        out(
          formatTable(
            ['ID', 'NAME', 'COLUMNS', 'CREATED'],
            datasets.map((d) => [d.id, d.name, leafPaths(d.schema).length, iso(d.created)]),
          ),
        );
        out(`${datasets.length} dataset(s)`);
      });
      return 0;
    }
    case 'create': {
      const name = positional[0] ?? '';
      const schema = await readSchemaFile(schemaFile ?? '');
      const dataset = await backend.createDataset({
        name,
        schema,
        ...(description === undefined ? {} : { description }),
      });
      emit(ctx, dataset, () => {
        out(`Created dataset ${dataset.name}: ${dataset.id}`);
      });
      return 0;
    }
    case 'show': {
      const dataset = await backend.getDataset(positional[0] ?? '');
      const batches = await backend.listBatches(dataset.id, 20);
      emit(ctx, { dataset, batches }, () => {
        out(`Dataset ${dataset.name} (${dataset.id}), created ${iso(dataset.created)}`);
        if (dataset.description !== undefined) out(dataset.description);
        if (dataset.schemaRef !== undefined) out(`schemaRef: ${dataset.schemaRef.id}`);
        out('');
        out(
          formatTable(
            ['COLUMN', 'TYPE'],
            leafPaths(dataset.schema).map((path) => {
              const field = fieldAt(dataset.schema, path);
              const type =
                field?.type === 'decimal'
                  ? `decimal(${field.precision ?? 38},${field.scale ?? 9})`
                  : (field?.type ?? '');
              return [path, type];
            }),
          ),
        );
        out('');
        out(
          formatTable(['BATCH', 'STATUS', 'RECORDS', 'BYTES', 'FILES', 'COMPLETED'], batches.map(batchRow)),
        );
        out(`${batches.length} batch(es) shown, newest first`);
      });
      return 0;
    }
  }
}
