/**
 * `sluice datasets list | create <name> --schema <file.json> [--description <text>] | show <id or name>`
 * and `sluice query "<SELECT … FROM dataset('<name or id>')>" [--max-rows N]`, in-process over the
 * dataset service. Errors are AppErrors (the caller prints them); the return value is the exit code.
 */
import { readFile } from 'node:fs/promises';
import { leafPaths, fieldAt, type Batch } from '../../domain/dataset.ts';
import { AppError } from '../../domain/errors.ts';
import type { Tenant } from '../../domain/tenancy.ts';
import type { Sluice } from '../../sluice.ts';
import { formatTable } from '../table.ts';

export const DATASETS_USAGE =
  'usage: sluice datasets list | create <name> --schema <file.json> [--description <text>] | show <id or name>';

const iso = (millis: number | null): string => (millis === null ? '' : new Date(millis).toISOString());

/** Splits `--flag value` pairs from positional arguments. */
export function splitArgs(
  args: readonly string[],
  flags: readonly string[],
): { positional: string[]; values: Record<string, string> } {
  const positional: string[] = [];
  const values: Record<string, string> = {};
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name === undefined) {
      positional.push(arg);
      continue;
    }
    const value = args[index + 1];
    if (!flags.includes(name) || value === undefined) {
      throw new AppError('FLOW-1407-400', `Unknown option or missing value: ${arg}.`);
    }
    values[name] = value;
    index += 1;
  }
  return { positional, values };
}

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

export async function datasetsCommand(
  sluice: Sluice,
  tenant: Tenant,
  args: string[],
  out: (line: string) => void,
): Promise<number> {
  const [sub, ...rest] = args;
  const { positional, values } = splitArgs(rest, ['schema', 'description']);
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
      const [name] = positional;
      if (name === undefined || values['schema'] === undefined)
        throw new AppError('FLOW-1407-400', DATASETS_USAGE);
      const schema = await readSchemaFile(values['schema']);
      const actor = { ...tenant, userId: 'sluice-cli', clientId: 'sluice-cli' };
      const dataset = await sluice.datasets.create(actor, {
        name,
        schema,
        ...(values['description'] === undefined ? {} : { description: values['description'] }),
      });
      out(`Created dataset ${dataset.name}: ${dataset.id}`);
      return 0;
    }
    case 'show': {
      const [ref] = positional;
      if (ref === undefined) throw new AppError('FLOW-1407-400', DATASETS_USAGE);
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
    default:
      throw new AppError('FLOW-1407-400', DATASETS_USAGE);
  }
}
