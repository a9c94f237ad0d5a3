/**
 * Everything `POST /flows` and `PATCH /flows/{id}` must check (flow-service-api.md §3.7), in one place:
 * connections and their specs, transformations (Copy with a date/time delta column, Mapping pinned to a
 * valid version), the schedule and the options. Each rule has its own code.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { ColumnLike } from '../domain/mapping.ts';
import { validateMappings } from '../domain/mapping.ts';
import type { EntityMeta } from '../domain/entity.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import type {
  DeltaColumn,
  Flow,
  Schedule,
  SourceConnection,
  TargetConnection,
  Transformation,
} from '../domain/flow-entities.ts';
import { parseSchedule } from '../domain/schedule.ts';
import type { FlowSpec } from '../domain/specs.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { normalizedTypeOf } from '../domain/types.ts';
import type { EntityRepository } from '../store/entity-repository.ts';
import type { MappingSetService } from './mapping-sets.ts';
import type { DatasetLookup } from './target-connections.ts';

export interface FlowInput {
  readonly name: string;
  readonly description?: string;
  readonly flowSpec: { readonly id: string; readonly version?: string };
  readonly sourceConnectionIds: readonly unknown[];
  readonly targetConnectionIds: readonly unknown[];
  readonly transformations?: readonly { readonly name: string; readonly params?: Record<string, unknown> }[];
  readonly scheduleParams?: Record<string, unknown>;
  readonly options?: Record<string, unknown>;
  readonly labels?: readonly string[];
}

export interface ValidatedFlow {
  readonly flowSpec: FlowSpec;
  readonly source: SourceConnection;
  readonly target: TargetConnection;
  readonly transformations: Transformation[];
  readonly schedule?: Schedule;
  readonly deltaColumn?: DeltaColumn;
  readonly mapping?: { readonly id: string; readonly version: number };
}

export interface FlowValidationDeps {
  readonly catalog: Catalog;
  readonly sourceConnections: EntityRepository<SourceConnection>;
  readonly targetConnections: EntityRepository<TargetConnection>;
  readonly mappingSets: Pick<MappingSetService, 'resolveMapping'>;
  readonly lookupDataset: DatasetLookup;
}

const DATE_TYPES = new Set(['date', 'date-time']);

function oneId(
  ids: readonly unknown[] | undefined,
  code: 'FLOW-1320-400' | 'FLOW-1321-400',
  field: string,
): string {
  if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== 'string') {
    throw new AppError(
      code,
      `The length of ${field} should be one: a flow reads one source connection and writes one target connection.`,
    );
  }
  return ids[0];
}

/** A declared source column usable as the delta column: a date/time type (or a string marked date-time). */
function isDateColumn(column: SourceConnection['params']['columns'][number]): boolean {
  return DATE_TYPES.has(column.type) || DATE_TYPES.has(column['meta:xdmType'] ?? '');
}

export function createFlowValidator(deps: FlowValidationDeps) {
  const { catalog } = deps;

  const loadRef = async <E extends EntityMeta>(
    repository: EntityRepository<E>,
    tenant: Tenant,
    id: string,
    field: string,
  ): Promise<E> => {
    const entity = isUuid(id) ? await repository.get(tenant, id) : undefined;
    if (!entity) throw new AppError('FLOW-1338-400', `${field}: no entity ${id} exists in this sandbox.`);
    return entity;
  };

  return async function validateFlow(
    tenant: Tenant,
    input: FlowInput,
    draft: boolean,
  ): Promise<ValidatedFlow> {
    const flowSpec = catalog.flowSpec(input.flowSpec.id);
    if (!flowSpec) {
      throw new AppError(
        'FLOW-1423-400',
        `The flow spec ID '${input.flowSpec.id}' is invalid; list flow specs with GET /flowSpecs.`,
      );
    }
    const sourceId = oneId(input.sourceConnectionIds, 'FLOW-1320-400', 'sourceConnectionIds');
    const targetId = oneId(input.targetConnectionIds, 'FLOW-1321-400', 'targetConnectionIds');
    const source = await loadRef(deps.sourceConnections, tenant, sourceId, 'sourceConnectionIds[0]');
    const target = await loadRef(deps.targetConnections, tenant, targetId, 'targetConnectionIds[0]');
    if (!flowSpec.sourceConnectionSpecIds.includes(source.connectionSpec.id)) {
      throw new AppError(
        'FLOW-1339-400',
        `The flow spec ${flowSpec.name} does not accept sources of connection spec ${source.connectionSpec.id}.`,
      );
    }
    if (!flowSpec.targetConnectionSpecIds.includes(target.connectionSpec.id)) {
      throw new AppError(
        'FLOW-1339-400',
        `The flow spec ${flowSpec.name} does not accept targets of connection spec ${target.connectionSpec.id}.`,
      );
    }
    if (!draft && (source.state === 'draft' || target.state === 'draft')) {
      throw new AppError(
        'FLOW-1416-400',
        'A flow can be published only when its source and target connections are published; publish them first or create the flow with mode=draft.',
      );
    }

    const transformations: Transformation[] = [];
    const seen = new Set<string>();
    for (const [index, transformation] of (input.transformations ?? []).entries()) {
      const spec = flowSpec.transformationSpecs.find((candidate) => candidate.name === transformation.name);
      if (!spec) {
        throw new AppError(
          'FLOW-1407-400',
          `transformations[${index}].name '${transformation.name}' is not a transformation of ${flowSpec.name}; use ${flowSpec.transformationSpecs.map((t) => t.name).join(' or ')}.`,
        );
      }
      if (seen.has(spec.name))
        throw new AppError('FLOW-1407-400', `transformations has more than one ${spec.name}.`);
      seen.add(spec.name);
      const params = transformation.params ?? {};
      catalog
        .validator(`transformation:${flowSpec.id}:${spec.name}`, spec.spec)
        .assert(params, `transformations[${index}].params`);
      transformations.push({ name: spec.name, params });
    }

    if (input.scheduleParams === undefined && !draft) {
      throw new AppError(
        'CONNECTOR-1312-400',
        'scheduleParams is required: give startTime and frequency (and interval unless frequency is once).',
      );
    }
    const schedule = input.scheduleParams === undefined ? undefined : parseSchedule(input.scheduleParams);
    if (schedule) {
      const normalized = {
        startTime: Math.floor(schedule.startTime / 1000),
        frequency: schedule.frequency,
        ...(schedule.interval === undefined ? {} : { interval: schedule.interval }),
        ...(input.scheduleParams && 'backfill' in input.scheduleParams
          ? { backfill: schedule.backfill }
          : {}),
      };
      catalog
        .validator(`schedule:${flowSpec.id}`, flowSpec.scheduleSpec.spec)
        .assert(normalized, 'scheduleParams');
    }
    if (input.options !== undefined && flowSpec.optionSpec) {
      catalog.validator(`options:${flowSpec.id}`, flowSpec.optionSpec.spec).assert(input.options, 'options');
    }

    const copy = transformations.find((t) => t.name === 'Copy');
    let deltaColumn: DeltaColumn | undefined;
    if (schedule?.frequency === 'once' && copy) {
      throw new AppError(
        'CONNECTOR-1369-400',
        'The Copy transformation (deltaColumn) is not allowed with frequency once: a once flow copies the whole table, or the window given to POST /runs.',
      );
    }
    if (schedule && schedule.frequency !== 'once') {
      if (!copy) {
        throw new AppError(
          'CONNECTOR-1367-400',
          'A scheduled table flow needs a Copy transformation with params.deltaColumn.name, the date/time column that marks new rows (for Azure Table Storage: Timestamp).',
        );
      }
      deltaColumn = copy.params['deltaColumn'] as DeltaColumn;
      const column = source.params.columns.find((candidate) => candidate.name === deltaColumn?.name);
      if (!column) {
        throw new AppError(
          'CONNECTOR-1370-400',
          `The deltaColumn '${deltaColumn.name}' is not among the source connection's params.columns (${source.params.columns.map((c) => c.name).join(', ')}); add it there or choose another.`,
        );
      }
      if (!isDateColumn(column)) {
        throw new AppError(
          'CONNECTOR-1370-400',
          `The deltaColumn '${deltaColumn.name}' is ${normalizedTypeOf(column) ?? 'of an unknown type'}; it must be a date or date-time column holding UTC values.`,
        );
      }
    }

    const dataset = await deps.lookupDataset(tenant, target.params.dataSetId);
    if (!dataset && !draft) {
      throw new AppError(
        'FLOW-1338-400',
        `The target connection's dataset ${target.params.dataSetId} no longer exists.`,
      );
    }
    const sourceColumns: ColumnLike[] = source.params.columns.map((column) => ({
      name: column.name,
      type: normalizedTypeOf(column) ?? column.type,
      ...(column.meta === undefined ? {} : { meta: column.meta }),
    }));
    const mappingStep = transformations.find((t) => t.name === 'Mapping');
    let mapping: ValidatedFlow['mapping'];
    if (mappingStep && dataset) {
      const id = String(mappingStep.params['mappingId']);
      const version = (mappingStep.params['mappingVersion'] as string | number | undefined) ?? 0;
      try {
        const set = await deps.mappingSets.resolveMapping(tenant, id, version, {
          sourceColumns,
          dataSetId: dataset.id,
          schema: dataset.schema,
        });
        mapping = { id: set.id, version: set.version };
      } catch (error) {
        if (isAppError(error) && error.code === 'FLOW-1439-404') {
          throw new AppError(
            'FLOW-1338-400',
            `transformations Mapping.mappingId: no mapping set ${id} exists in this sandbox.`,
          );
        }
        throw error;
      }
    } else if (dataset && !draft) {
      // Without a Mapping, columns land in the dataset fields of the same name: check that works.
      const problems = validateMappings(
        sourceColumns.map((column) => ({ sourceAttribute: column.name, destinationXdmPath: column.name })),
        sourceColumns,
        dataset.schema,
      );
      if (problems.length > 0) {
        throw new AppError(
          'FLOW-1419-400',
          `Without a Mapping transformation the source columns must match dataset fields by name: ${problems.map((p) => p.message).join('; ')}`,
          { problems },
        );
      }
    }
    return {
      flowSpec,
      source,
      target,
      transformations,
      ...(schedule === undefined ? {} : { schedule }),
      ...(deltaColumn === undefined ? {} : { deltaColumn }),
      ...(mapping === undefined ? {} : { mapping }),
    };
  };
}

/** After the first start time, Adobe forbids changing startTime, switching to once, and toggling backfill. */
export function assertScheduleChangeAllowed(
  previous: Schedule | undefined,
  next: Schedule | undefined,
  now: number,
): void {
  if (!previous || !next || previous.startTime > now) return;
  if (next.startTime !== previous.startTime) {
    throw new AppError(
      'CONNECTOR-1366-400',
      'scheduleParams.startTime cannot be changed after the flow has started; create a new flow instead.',
    );
  }
  if (next.frequency === 'once' && previous.frequency !== 'once') {
    throw new AppError(
      'CONNECTOR-1403-400',
      'A started flow cannot be switched to frequency once; create a new flow instead.',
    );
  }
  if (next.backfill !== previous.backfill) {
    throw new AppError(
      'CONNECTOR-1404-400',
      'scheduleParams.backfill cannot be changed after the flow has started; create a new flow instead.',
    );
  }
}

export type { Flow };
