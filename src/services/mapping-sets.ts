/**
 * Mapping sets (Data Prep `/data/foundation/conversion/mappingSets`): create, read (latest or a pinned
 * version), list, update (always a new version) and `resolveMapping`, which the flow service calls to
 * load and re-validate the version a flow pins.
 *
 * Validation runs `validateMappings` against whatever is known: the source columns sent in
 * `sourceSchema` (or given by the flow), and the target dataset's schema when `dataSetId` (or
 * `xdmSchema`) names a dataset that `lookupDatasetSchema` finds.
 */
import type { DatasetSchema } from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import {
  MAPPING_SET_ID,
  newMappingSetId,
  normalizeMappings,
  validateMappings,
  type ColumnLike,
  type MappingInput,
  type MappingProblem,
  type MappingSet,
} from '../domain/mapping.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import { normalizedTypeOf } from '../domain/types.ts';
import type { MappingRepository, MappingSetListOptions } from '../store/mapping-repository.ts';

export interface MappingSetInput {
  /** Adobe's create sample sends `"id": null` and `"version": 0`; anything else is server-owned. */
  readonly id?: string | null;
  readonly version?: number;
  readonly name?: string;
  readonly description?: string;
  readonly xdmSchema?: string;
  readonly xdmVersion?: string;
  readonly schemaRef?: { readonly id?: string; readonly contentType?: string };
  readonly outputSchema?: { readonly schemaRef?: { readonly id?: string; readonly contentType?: string } };
  readonly mappings: readonly MappingInput[];
  readonly dataSetId?: string;
  readonly sourceSchema?: { readonly columns: readonly ColumnLike[] };
}

export interface MappingSetSummary {
  readonly id: string;
  readonly version: number;
  readonly createdDate: number;
  readonly modifiedDate: number;
  readonly createdBy: string;
  readonly modifiedBy: string;
}

export type MappingSetView = Record<string, unknown>;

export interface MappingSetPage {
  readonly data: MappingSetView[];
  readonly _page: {
    readonly limit: number;
    readonly start: number;
    readonly count: number;
    readonly total: number;
  };
}

export interface MappingSetValidation {
  readonly validationResponse: (
    | { readonly status: 'SUCCESS'; readonly errors: null }
    | { readonly status: 'ERROR'; readonly errors: { readonly code: string; readonly message: string }[] }
  )[];
  readonly problems: MappingProblem[];
}

/** What a flow knows when it pins a mapping: the source connection's columns and its target dataset. */
export interface ResolveContext {
  readonly sourceColumns?: readonly ColumnLike[];
  readonly dataSetId?: string;
  readonly schema?: DatasetSchema;
}

export interface MappingSetService {
  create(actor: Actor, input: MappingSetInput): Promise<MappingSetSummary>;
  /** Validate without storing: one entry per mapping (Adobe's `validationResponse`) plus every problem. */
  validate(actor: Actor, input: MappingSetInput): Promise<MappingSetValidation>;
  get(tenant: Tenant, id: string, version?: number): Promise<MappingSetView>;
  list(tenant: Tenant, options: MappingSetListOptions): Promise<MappingSetPage>;
  /** Writes version latest+1; every older version stays readable. */
  update(actor: Actor, id: string, input: MappingSetInput): Promise<MappingSetView>;
  /** The pinned version, re-validated; 404 when the set is missing, 400 for a bad version or invalid mapping. */
  resolveMapping(
    tenant: Tenant,
    id: string,
    version: number | string,
    context?: ResolveContext,
  ): Promise<MappingSet>;
}

export interface MappingSetServiceDeps {
  readonly repository: MappingRepository;
  /** The schema of a dataset of the tenant; wired to the dataset service by the composition root. */
  readonly lookupDatasetSchema?: (tenant: Tenant, id: string) => Promise<DatasetSchema | undefined>;
  /** The fields of a Schema Registry schema named by its `$id` or `meta:altId` (xdmSchema). */
  readonly lookupXdmSchema?: (tenant: Tenant, id: string) => Promise<DatasetSchema | undefined>;
  readonly now?: () => number;
  readonly newId?: () => string;
}

export function createMappingSetService(deps: MappingSetServiceDeps): MappingSetService {
  const { repository } = deps;
  const lookup = deps.lookupDatasetSchema ?? (() => Promise.resolve(undefined));
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? newMappingSetId;

  const notFound = (id: string, version?: number): AppError =>
    new AppError(
      'FLOW-1439-404',
      version === undefined
        ? `The mapping set ${id} is not found in this sandbox. Verify the id before trying again.`
        : `The mapping set ${id} has no version ${version} in this sandbox. Verify the id and version before trying again.`,
      { id, type: 'mappingSets', ...(version === undefined ? {} : { version }) },
    );

  const load = async (tenant: Tenant, id: string, version?: number): Promise<MappingSet> => {
    const set = MAPPING_SET_ID.test(id) ? await repository.get(tenant, id, version) : undefined;
    if (!set) throw notFound(id, version);
    return set;
  };

  const invalid = (problems: readonly MappingProblem[], context: string): AppError =>
    new AppError('FLOW-1419-400', `${context}: ${problems.map((problem) => problem.message).join(' ')}`, {
      problems: problems.map((problem) => ({ ...problem })),
    });

  /** The target schema to validate against, and the dataset id it came from. */
  const targetOf = async (
    tenant: Tenant,
    input: Pick<MappingSetInput, 'dataSetId'>,
    xdmSchema: string,
  ): Promise<{ schema?: DatasetSchema; dataSetId?: string; problem?: MappingProblem }> => {
    if (input.dataSetId !== undefined) {
      const schema = await lookup(tenant, input.dataSetId);
      return schema === undefined
        ? {
            problem: {
              code: 'UNKNOWN_DATASET',
              message: `The dataset ${input.dataSetId} named by dataSetId is not found in this sandbox.`,
            },
          }
        : { schema, dataSetId: input.dataSetId };
    }
    // xdmSchema is a Schema Registry schema's $id (as in Adobe's tutorial), or a Sluice dataset id.
    const registered = await deps.lookupXdmSchema?.(tenant, xdmSchema);
    if (registered !== undefined) return { schema: registered };
    const schema = await lookup(tenant, xdmSchema);
    return schema === undefined ? {} : { schema, dataSetId: xdmSchema };
  };

  const build = async (
    actor: Actor,
    input: MappingSetInput,
    version: number,
    previous?: MappingSet,
  ): Promise<{ set: MappingSet; problems: MappingProblem[] }> => {
    const xdmSchema = input.xdmSchema ?? input.outputSchema?.schemaRef?.id ?? input.schemaRef?.id;
    if (xdmSchema === undefined || xdmSchema.trim() === '') {
      throw new AppError(
        'FLOW-1407-400',
        'The mapping set names no target schema; send xdmSchema (or outputSchema.schemaRef.id) with the XDM schema or dataset id.',
      );
    }
    const xdmVersion =
      input.xdmVersion ?? input.outputSchema?.schemaRef?.contentType ?? input.schemaRef?.contentType ?? '1.0';
    const { mappings, aligned, problems } = normalizeMappings(input.mappings, version);
    const target = await targetOf(actor, input, xdmSchema);
    // Explore's columns as they are: a temporal column is `string` + `meta:xdmType`.
    const columns = input.sourceSchema?.columns.map((column) => ({
      name: column.name,
      type: normalizedTypeOf(column) ?? column.type,
      ...(column.meta === undefined ? {} : { meta: column.meta }),
    }));
    const all = [
      ...problems,
      ...(target.problem ? [target.problem] : []),
      ...validateMappings(aligned, columns, target.schema),
    ];
    const at = now();
    const set: MappingSet = {
      id: previous?.id ?? newId(),
      version,
      imsOrgId: actor.orgId,
      sandboxId: actor.sandboxId,
      sandboxName: actor.sandboxName,
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.description === undefined ? {} : { description: input.description }),
      xdmSchema,
      xdmVersion,
      mappings,
      ...(target.dataSetId === undefined ? {} : { dataSetId: target.dataSetId }),
      ...(columns === undefined ? {} : { sourceSchema: { columns } }),
      createdDate: previous?.createdDate ?? at,
      modifiedDate: at,
      createdBy: previous?.createdBy ?? actor.userId,
      modifiedBy: actor.userId,
    };
    return { set, problems: all };
  };

  const valid = async (...args: Parameters<typeof build>): Promise<MappingSet> => {
    const { set, problems } = await build(...args);
    if (problems.length > 0) throw invalid(problems, 'The mapping set is invalid');
    return set;
  };

  const summary = (set: MappingSet): MappingSetSummary => ({
    id: set.id,
    version: set.version,
    createdDate: set.createdDate,
    modifiedDate: set.modifiedDate,
    createdBy: set.createdBy,
    modifiedBy: set.modifiedBy,
  });

  const represent = (set: MappingSet): MappingSetView => {
    const { imsOrgId: _org, sandboxId: _sandbox, sandboxName: _name, mappings, ...rest } = set;
    const schemaRef = { id: set.xdmSchema, contentType: set.xdmVersion };
    return {
      ...rest,
      status: 'PUBLISHED',
      schemaRef,
      outputSchema: { schemaRef },
      mappings: mappings.map((mapping) => ({
        ...mapping,
        createdDate: set.modifiedDate,
        modifiedDate: set.modifiedDate,
        createdBy: set.modifiedBy,
        modifiedBy: set.modifiedBy,
      })),
    };
  };

  const parseVersion = (id: string, version: number | string): number => {
    const text = typeof version === 'number' ? String(version) : version.trim();
    if (!/^\d{1,9}$/.test(text)) {
      throw new AppError(
        'FLOW-1412-400',
        `The mappingVersion '${String(version)}' of mapping set ${id} is not a version number (0, 1, ...).`,
        { id, version },
      );
    }
    return Number(text);
  };

  return {
    async create(actor, input) {
      if (input.id !== undefined && input.id !== null) {
        throw new AppError(
          'FLOW-1410-400',
          'The id of a mapping set is set by the server; send no id (or null).',
        );
      }
      if (input.version !== undefined && input.version !== 0) {
        throw new AppError('FLOW-1410-400', 'A new mapping set starts at version 0; send no version (or 0).');
      }
      const set = await valid(actor, input, 0);
      await repository.insert(set);
      return summary(set);
    },

    async validate(actor, input) {
      const { problems } = await build(actor, input, 0);
      return {
        validationResponse: input.mappings.map((_mapping, index) => {
          const errors = problems.filter((problem) => problem.index === index);
          return errors.length === 0
            ? { status: 'SUCCESS' as const, errors: null }
            : { status: 'ERROR' as const, errors: errors.map(({ code, message }) => ({ code, message })) };
        }),
        problems,
      };
    },

    async get(tenant, id, version) {
      return represent(await load(tenant, id, version));
    },

    async list(tenant, options) {
      const { items, total } = await repository.list(tenant, options);
      return {
        data: items.map(represent),
        _page: { limit: options.limit, start: options.start, count: items.length, total },
      };
    },

    async update(actor, id, input) {
      const latest = await load(actor, id);
      if (input.id !== undefined && input.id !== null && input.id !== id) {
        throw new AppError(
          'FLOW-1410-400',
          `The body's id ${input.id} differs from the mapping set ${id} in the path.`,
        );
      }
      if (input.version !== undefined && input.version !== latest.version) {
        throw new AppError(
          'FLOW-1404-412',
          `The update is based on version ${input.version} but the mapping set ${id} is at version ${latest.version}; GET it and retry.`,
        );
      }
      const next = await valid(actor, input, latest.version + 1, latest);
      if (!(await repository.appendVersion(next))) {
        throw new AppError(
          'FLOW-1404-412',
          `The mapping set ${id} was updated by another request; GET its latest version and retry.`,
        );
      }
      return represent(next);
    },

    async resolveMapping(tenant, id, version, context = {}) {
      const latest = await load(tenant, id);
      const wanted = parseVersion(id, version);
      if (wanted > latest.version) {
        throw new AppError(
          'FLOW-1412-400',
          `The mapping set ${id} has no version ${wanted}; its versions are 0 to ${latest.version}.`,
          { id, version: wanted, latestVersion: latest.version },
        );
      }
      const set = wanted === latest.version ? latest : await load(tenant, id, wanted);
      const dataSetId = context.dataSetId ?? set.dataSetId;
      const schema =
        context.schema ?? (dataSetId === undefined ? undefined : await lookup(tenant, dataSetId));
      const problems: MappingProblem[] =
        context.schema === undefined && dataSetId !== undefined && schema === undefined
          ? [{ code: 'UNKNOWN_DATASET', message: `The dataset ${dataSetId} is not found in this sandbox.` }]
          : [];
      problems.push(
        ...validateMappings(set.mappings, context.sourceColumns ?? set.sourceSchema?.columns, schema),
      );
      if (problems.length > 0)
        throw invalid(problems, `The mapping set ${id} version ${wanted} cannot be used`);
      return set;
    },
  };
}
