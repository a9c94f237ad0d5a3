/**
 * Mapping sets (Adobe Data Prep's `mappingSets`, the ATTRIBUTE subset): which source column feeds which
 * dataset field. A set is immutable per version: an update writes version n+1 and every older version
 * stays readable, because flows pin `mappingVersion`.
 *
 * `validateMappings` returns every problem at once (never only the first), each with a stable code, so a
 * client can fix a whole mapping in one round trip.
 */
import { randomBytes } from 'node:crypto';
import { conversionOf, type SourceColumnType } from './conversion.ts';
import { fieldAt, leafPaths, type DatasetSchema } from './dataset.ts';
import type { NormalizedType } from './types.ts';

/** Data Prep ids: 32 lower-case hex characters. */
export const MAPPING_SET_ID = /^[0-9a-f]{32}$/;

export const newMappingSetId = (): string => randomBytes(16).toString('hex');

/** The minimal source column shape mappings need (explore's columns fit it). */
export interface ColumnLike {
  readonly name: string;
  readonly type: NormalizedType;
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface Mapping {
  readonly id: string;
  readonly version: number;
  readonly sourceType: 'ATTRIBUTE';
  /** `source` and `sourceAttribute` always carry the same value (Adobe returns both). */
  readonly source: string;
  readonly sourceAttribute: string;
  /** `destination` and `destinationXdmPath` always carry the same dotted path. */
  readonly destination: string;
  readonly destinationXdmPath: string;
  readonly identity: boolean;
  readonly identityGroup: string | null;
  readonly namespaceCode: string | null;
  readonly name?: string;
  readonly description?: string;
}

export interface MappingSet {
  readonly id: string;
  readonly version: number;
  readonly imsOrgId: string;
  readonly sandboxId: string;
  readonly sandboxName: string;
  readonly name?: string;
  readonly description?: string;
  readonly xdmSchema: string;
  readonly xdmVersion: string;
  readonly mappings: readonly Mapping[];
  /** Sluice extension: the target dataset the mappings were validated against. */
  readonly dataSetId?: string;
  /** Sluice extension: the source columns (e.g. copied from explore) the mappings were validated against. */
  readonly sourceSchema?: { readonly columns: readonly ColumnLike[] };
  /** Epoch milliseconds; createdDate is the set's first version, modifiedDate this version's. */
  readonly createdDate: number;
  readonly modifiedDate: number;
  readonly createdBy: string;
  readonly modifiedBy: string;
}

/** A mapping as a client sends it: Adobe accepts both `source`/`destination` and the older attribute names. */
export interface MappingInput {
  readonly sourceType?: string;
  readonly source?: string;
  readonly sourceAttribute?: string;
  readonly destination?: string;
  readonly destinationXdmPath?: string;
  readonly identity?: boolean;
  readonly identityGroup?: string | null;
  readonly namespaceCode?: string | null;
  readonly name?: string;
  readonly description?: string;
}

export type MappingProblemCode =
  | 'EMPTY_MAPPINGS'
  | 'MISSING_SOURCE'
  | 'MISSING_DESTINATION'
  | 'CONFLICTING_ALIASES'
  | 'UNSUPPORTED_SOURCE_TYPE'
  | 'INVALID_DESTINATION_PATH'
  | 'UNKNOWN_SOURCE_ATTRIBUTE'
  | 'UNKNOWN_DESTINATION'
  | 'OBJECT_DESTINATION'
  | 'DUPLICATE_DESTINATION'
  | 'OVERLAPPING_DESTINATION'
  | 'INCOMPATIBLE_TYPES'
  | 'IDENTITY_WITHOUT_NAMESPACE'
  | 'UNKNOWN_DATASET';

export interface MappingProblem {
  readonly code: MappingProblemCode;
  readonly message: string;
  /** The index in `mappings` the problem is about, when it is about one. */
  readonly index?: number;
}

/** What validation needs of a mapping. */
export interface MappingRef {
  readonly sourceAttribute: string;
  readonly destinationXdmPath: string;
  readonly identity?: boolean;
  readonly namespaceCode?: string | null;
}

const PATH = /^[^.\s]+(\.[^.\s]+)*$/;
/** `ATTRIBUTE` as sent; `text/x.schema-path` as Adobe returns it on reads (clients echo it back). */
const ATTRIBUTE_TYPES = new Set(['ATTRIBUTE', 'text/x.schema-path']);

/**
 * Turns client mappings into stored ones (aliases resolved, defaults filled). Problems are returned, not
 * thrown; a mapping with a problem is left out of `mappings` and is `undefined` in `aligned`, which keeps
 * the input's indexes for `validateMappings`.
 */
export function normalizeMappings(
  inputs: readonly MappingInput[],
  version: number,
  newId: () => string = newMappingSetId,
): { mappings: Mapping[]; aligned: (Mapping | undefined)[]; problems: MappingProblem[] } {
  const mappings: Mapping[] = [];
  const aligned: (Mapping | undefined)[] = [];
  const problems: MappingProblem[] = [];
  inputs.forEach((input, index) => {
    const at = `mappings[${index}]`;
    const before = problems.length;
    const sourceType = input.sourceType ?? 'ATTRIBUTE';
    if (!ATTRIBUTE_TYPES.has(sourceType)) {
      problems.push({
        code: 'UNSUPPORTED_SOURCE_TYPE',
        index,
        message: `${at}.sourceType '${sourceType}' is not supported; Sluice maps source attributes only (sourceType ATTRIBUTE), not calculated fields.`,
      });
    }
    const source = alias(input.source, input.sourceAttribute, 'source', 'sourceAttribute', index, problems);
    const destination = alias(
      input.destination,
      input.destinationXdmPath,
      'destination',
      'destinationXdmPath',
      index,
      problems,
    );
    if (
      source === undefined &&
      !problems.some((p) => p.index === index && p.code === 'CONFLICTING_ALIASES')
    ) {
      problems.push({
        code: 'MISSING_SOURCE',
        index,
        message: `${at} names no source column (source or sourceAttribute).`,
      });
    }
    if (
      destination === undefined &&
      !problems.some((p) => p.index === index && p.code === 'CONFLICTING_ALIASES')
    ) {
      problems.push({
        code: 'MISSING_DESTINATION',
        index,
        message: `${at} names no destination field (destination or destinationXdmPath).`,
      });
    } else if (destination !== undefined && !PATH.test(destination)) {
      problems.push({
        code: 'INVALID_DESTINATION_PATH',
        index,
        message: `${at}.destination '${destination}' is not a dotted field path such as person.name.firstName.`,
      });
    }
    if (problems.length > before || source === undefined || destination === undefined) {
      aligned.push(undefined);
      return;
    }
    const mapping: Mapping = {
      id: newId(),
      version,
      sourceType: 'ATTRIBUTE',
      source,
      sourceAttribute: source,
      destination,
      destinationXdmPath: destination,
      identity: input.identity ?? false,
      identityGroup: input.identityGroup ?? null,
      namespaceCode: input.namespaceCode ?? null,
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.description === undefined ? {} : { description: input.description }),
    };
    mappings.push(mapping);
    aligned.push(mapping);
  });
  return { mappings, aligned, problems };
}

function alias(
  short: string | undefined,
  long: string | undefined,
  shortName: string,
  longName: string,
  index: number,
  problems: MappingProblem[],
): string | undefined {
  const a = short === '' ? undefined : short;
  const b = long === '' ? undefined : long;
  if (a !== undefined && b !== undefined && a !== b) {
    problems.push({
      code: 'CONFLICTING_ALIASES',
      index,
      message: `mappings[${index}] has ${shortName} '${a}' but ${longName} '${b}'; they are aliases, send one or the same value.`,
    });
    return undefined;
  }
  return a ?? b;
}

/** A column's type as the conversion matrix sees it. */
export function sourceTypeOf(column: ColumnLike): SourceColumnType {
  const original = column.meta?.['originalType'];
  return typeof original === 'string' ? { type: column.type, originalType: original } : { type: column.type };
}

const LISTED = 20;
const list = (names: readonly string[]): string =>
  names.length === 0
    ? 'none'
    : names.length <= LISTED
      ? names.join(', ')
      : `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more`;

/**
 * Every problem of a set of mappings: structural ones always, source columns when `sourceColumns` is
 * given, destination fields and type conversions when `target` is given. `undefined` entries (mappings
 * already reported as malformed) are skipped but keep their index.
 */
export function validateMappings(
  all: readonly (MappingRef | undefined)[],
  sourceColumns?: readonly ColumnLike[],
  target?: DatasetSchema,
): MappingProblem[] {
  const problems: MappingProblem[] = [];
  if (all.length === 0) {
    problems.push({
      code: 'EMPTY_MAPPINGS',
      message: 'The mapping set has no mappings; map at least one source column.',
    });
    return problems;
  }
  const columns = sourceColumns === undefined ? undefined : new Map(sourceColumns.map((c) => [c.name, c]));
  const firstWriter = new Map<string, number>();
  all.forEach((mapping, index) => {
    if (mapping === undefined) return;
    const at = `mappings[${index}]`;
    const path = mapping.destinationXdmPath;
    const earlier = firstWriter.get(path);
    if (earlier === undefined) firstWriter.set(path, index);
    else {
      problems.push({
        code: 'DUPLICATE_DESTINATION',
        index,
        message: `${at} and mappings[${earlier}] both write '${path}'; a field takes one source.`,
      });
    }
    if (mapping.identity === true && (mapping.namespaceCode ?? '') === '') {
      problems.push({
        code: 'IDENTITY_WITHOUT_NAMESPACE',
        index,
        message: `${at} is marked as an identity but has no namespaceCode.`,
      });
    }
    const column = columns?.get(mapping.sourceAttribute);
    if (columns !== undefined && column === undefined) {
      problems.push({
        code: 'UNKNOWN_SOURCE_ATTRIBUTE',
        index,
        message: `${at}.sourceAttribute '${mapping.sourceAttribute}' is not a source column; the columns are ${list([...columns.keys()])}.`,
      });
    }
    if (target === undefined) return;
    const field = fieldAt(target, path);
    if (field === undefined) {
      problems.push({
        code: 'UNKNOWN_DESTINATION',
        index,
        message: `${at}.destinationXdmPath '${path}' is not a field of the dataset schema; its fields are ${list(leafPaths(target))}.`,
      });
    } else if (field.type === 'object') {
      problems.push({
        code: 'OBJECT_DESTINATION',
        index,
        message: `${at}.destinationXdmPath '${path}' is an object; map to its fields (${list(leafPaths({ fields: field.fields ?? [] }).map((leaf) => `${path}.${leaf}`))}).`,
      });
    } else if (column !== undefined) {
      const check = conversionOf(sourceTypeOf(column), field);
      if (!check.ok) {
        problems.push({
          code: 'INCOMPATIBLE_TYPES',
          index,
          message: `${at} cannot map '${column.name}' (${sourceTypeOf(column).originalType ?? column.type}) to '${path}' (${field.type}): ${check.reason}.`,
        });
      }
    }
  });
  problems.push(...overlaps(all));
  return problems;
}

/** Destinations where one is an ancestor of another (`person` and `person.name`). */
function overlaps(mappings: readonly (MappingRef | undefined)[]): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const paths = [...new Set(mappings.flatMap((m) => (m === undefined ? [] : [m.destinationXdmPath])))].sort();
  const indexOf = (path: string): number => mappings.findIndex((m) => m?.destinationXdmPath === path);
  for (let i = 0; i < paths.length; i += 1) {
    const parent = paths[i] ?? '';
    for (let j = i + 1; j < paths.length; j += 1) {
      const child = paths[j] ?? '';
      if (!child.startsWith(parent)) break;
      if (child[parent.length] !== '.') continue;
      problems.push({
        code: 'OVERLAPPING_DESTINATION',
        index: indexOf(child),
        message: `mappings[${indexOf(child)}] writes '${child}' inside '${parent}', which mappings[${indexOf(parent)}] writes whole; map one or the other.`,
      });
    }
  }
  return problems;
}
