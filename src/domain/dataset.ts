/**
 * Datasets of the data lake (Adobe Catalog's dataSets) and their schema. A dataset's schema is a tree of
 * fields with Sluice's normalized types; `object` fields nest. Batches are the unit of visibility: a
 * batch's rows are visible only once its status is `success` (committed).
 */
import { normalizedTypeOf, type NormalizedType } from './types.ts';

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

/**
 * `inactive` (Adobe's status for a batch that was promoted and later reverted): a committed batch whose files
 * were found damaged and that a repair run re-landed from the source; its rows are no longer read.
 */
export type BatchStatus = 'loading' | 'success' | 'failed' | 'aborted' | 'inactive';

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
      field.type === 'object'
        ? walk(field.fields ?? [], `${prefix}${field.name}.`)
        : [`${prefix}${field.name}`],
    );
  return walk(schema.fields, '');
}

/** A dataset id in Catalog's shape: 24 lower-case hex characters. */
export const DATASET_ID = /^[0-9a-f]{24}$/;

/** A batch id: 26 upper-case Crockford base32 characters (48-bit time + 80 random bits, like a ULID). */
export const BATCH_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newDatasetId(random: (size: number) => Uint8Array): string {
  return Buffer.from(random(12)).toString('hex');
}

/** Batch ids sort by creation time (to the millisecond), which keeps batch listings and lake dirs ordered. */
export function newBatchId(now: number, random: (size: number) => Uint8Array): string {
  let time = '';
  let rest = Math.max(0, Math.floor(now));
  for (let index = 0; index < 10; index += 1) {
    time = (CROCKFORD[rest % 32] ?? '0') + time;
    rest = Math.floor(rest / 32);
  }
  const bytes = random(10);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let tail = '';
  for (let index = 0; index < 16; index += 1) {
    tail = (CROCKFORD[Number(bits & 31n)] ?? '0') + tail;
    bits >>= 5n;
  }
  return time + tail;
}

/** A stored dataset (Catalog dataSet). Times are epoch milliseconds. */
export interface Dataset {
  readonly id: string;
  readonly imsOrg: string;
  readonly sandboxId: string;
  readonly sandboxName: string;
  readonly name: string;
  readonly description?: string;
  readonly schema: DatasetSchema;
  /** The XDM schema reference given at creation; stored and returned, not resolved (no Schema Registry). */
  readonly schemaRef?: { readonly id: string; readonly contentType?: string };
  readonly tags: Readonly<Record<string, readonly string[]>>;
  readonly state: 'DRAFT' | 'ENABLED';
  readonly created: number;
  readonly updated: number;
  readonly createdUser: string;
  readonly createdClient: string;
  readonly updatedUser: string;
  readonly deletedAt: number | null;
}

export interface BatchFile {
  /** Relative to the lake directory, `/`-separated. */
  readonly path: string;
  readonly records: number;
  /** The file's size, recorded at commit. */
  readonly bytes: number;
  /** The file's SHA-256 (hex), recorded at commit; absent for batches committed before it was recorded. */
  readonly sha256?: string;
}

export interface BatchError {
  readonly code: string;
  readonly message: string;
}

/** A batch of a dataset: its rows become visible atomically when its status turns `success`. */
export interface Batch {
  readonly id: string;
  readonly datasetId: string;
  readonly imsOrg: string;
  readonly sandboxId: string;
  readonly status: BatchStatus;
  readonly records: number;
  readonly bytes: number;
  readonly files: readonly BatchFile[];
  readonly created: number;
  readonly started: number | null;
  readonly completed: number | null;
  readonly updated: number;
  readonly errors: readonly BatchError[];
  readonly flowId: string | null;
  readonly runId: string | null;
}

/** Batch statuses a batch may move to from each status; `success`, `failed` and `aborted` are final. */
export const batchTransitions: Readonly<Record<BatchStatus, readonly BatchStatus[]>> = {
  loading: ['success', 'failed', 'aborted'],
  success: ['inactive'],
  failed: [],
  aborted: [],
  inactive: [],
};

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_DEPTH = 16;

/**
 * Checks a dataset schema given by a caller and returns it in canonical form (only known keys), or the
 * list of problems, each naming the field path. Field names are unique case-insensitively within
 * their object, because the lake's engine (DuckDB) resolves column names without case.
 */
export function parseDatasetSchema(
  input: unknown,
  normalizedTypes: readonly string[],
): { ok: true; schema: DatasetSchema } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const walk = (value: unknown, path: string, depth: number): DatasetField[] => {
    if (
      typeof value !== 'object' ||
      value === null ||
      !Array.isArray((value as { fields?: unknown }).fields)
    ) {
      problems.push(`${path || 'schema'}: must be an object with a "fields" array`);
      return [];
    }
    const list = (value as { fields: unknown[] }).fields;
    if (list.length === 0) problems.push(`${path || 'schema'}: "fields" must not be empty`);
    if (depth > MAX_DEPTH) {
      problems.push(`${path}: objects nest deeper than ${MAX_DEPTH} levels`);
      return [];
    }
    const seen = new Set<string>();
    return list.flatMap((raw, index): DatasetField[] => {
      const at = `${path ? `${path}.` : ''}fields[${index}]`;
      if (typeof raw !== 'object' || raw === null) {
        problems.push(`${at}: must be an object`);
        return [];
      }
      const field = raw as Record<string, unknown>;
      const name = field['name'];
      if (typeof name !== 'string' || !FIELD_NAME.test(name)) {
        problems.push(`${at}.name: must match ${FIELD_NAME.source}`);
        return [];
      }
      const where = path ? `${path}.${name}` : name;
      if (seen.has(name.toLowerCase()))
        problems.push(`${where}: duplicate field name (names are case-insensitive)`);
      seen.add(name.toLowerCase());
      if (field['type'] === 'object')
        return [{ name, type: 'object', fields: walk(field, where, depth + 1) }];
      // Explore's columns copied as they are work too: `type: "string"` + `meta:xdmType: "date-time"`.
      const type = normalizedTypeOf(field);
      if (type === undefined || !normalizedTypes.includes(type)) {
        problems.push(
          `${where}.type: must be one of ${[...normalizedTypes, 'object'].join(', ')} (or string with meta:xdmType date or date-time)`,
        );
        return [];
      }
      if (type !== 'decimal') return [{ name, type }];
      const precision = field['precision'] ?? 38;
      const scale = field['scale'] ?? 9;
      if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1 || precision > 38) {
        problems.push(`${where}.precision: must be an integer from 1 to 38`);
        return [];
      }
      if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
        problems.push(`${where}.scale: must be an integer from 0 to the precision`);
        return [];
      }
      return [{ name, type: 'decimal', precision, scale }];
    });
  };
  const fields = walk(input, '', 0);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, schema: { fields } };
}
