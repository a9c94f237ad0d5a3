/**
 * `sluice datasets list | create <name> --schema <file.json> [--description <text>] | show <id or name>`
 * and `sluice query "<SELECT … FROM dataset('<name or id>')>" [--max-rows N]`, in-process over the
 * dataset service. Refusals are AppErrors (exit 1), wrong calls UsageErrors (exit 2); the return value is the exit code.
 */
import { readFile } from 'node:fs/promises';
import { leafPaths, fieldAt, type Batch } from '../../domain/dataset.ts';
import { AppError } from '../../domain/errors.ts';
import { resolveTenant, stringFlag, UsageError, type CliContext } from '../context.ts';
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

const batchRow = (batch: Batch): string[] => [
  batch.id,
  batch.status,
  String(batch.records),
  String(batch.bytes),
  String(batch.files.length),
  iso(batch.completed),
];

export async function datasetsCommand(ctx: CliContext): Promise<number> {
  const [sub, ...positional] = ctx.args;
  const { sluice, out } = ctx;
  const schemaFile = stringFlag(ctx, 'schema');
  const description = stringFlag(ctx, 'description');
  if (sub !== 'list' && sub !== 'create' && sub !== 'show') throw new UsageError(DATASETS_USAGE);
  if (sub !== 'list' && positional[0] === undefined) throw new UsageError(DATASETS_USAGE);
  if (sub === 'create' && schemaFile === undefined) throw new UsageError(DATASETS_USAGE);
  const tenant = await resolveTenant(ctx);
  switch (sub) {
    case 'list': {
      const datasets = await sluice.datasets.list(tenant, {
        orderBy: { field: 'name', direction: 'asc' },
        start: 0,
        limit: 1000,
      });
      out(
        formatTable(
          ['ID', 'NAME', 'COLUMNS', 'CREATED'],
          datasets.map((d) => [d.id, d.name, leafPaths(d.schema).length, iso(d.created)]),
        ),
      );
      out(`${datasets.length} dataset(s)`);
      return 0;
    }
    case 'create': {
      const name = positional[0] ?? '';
      const schema = await readSchemaFile(schemaFile ?? '');
      const actor = { ...tenant, userId: 'sluice-cli', clientId: 'sluice-cli' };
      const dataset = await sluice.datasets.create(actor, {
        name,
        schema,
        ...(description === undefined ? {} : { description }),
      });
      out(`Created dataset ${dataset.name}: ${dataset.id}`);
      return 0;
    }
    case 'show': {
      const ref = positional[0] ?? '';
      const dataset = await sluice.datasets.resolve(tenant, ref);
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
      const batches = await sluice.datasets.listBatches(tenant, dataset.id, { start: 0, limit: 20 });
      out('');
      out(formatTable(['BATCH', 'STATUS', 'RECORDS', 'BYTES', 'FILES', 'COMPLETED'], batches.map(batchRow)));
      out(`${batches.length} batch(es) shown, newest first`);
      return 0;
    }
  }
}
