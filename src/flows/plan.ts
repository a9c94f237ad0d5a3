/**
 * Planning a run: everything decided before the first row is read. The flow, its source and target,
 * the opened source connection, the source's live columns (`planRead`, retried on source trouble), the
 * pinned mapping version and the dataset's schema, and the row mapper built from them.
 *
 * The result is a value: `ready` with the plan, or `end` with the run's final state and error when the
 * run cannot start (the flow was disabled → cancelled; something it needs was deleted, or the mapping no
 * longer fits → failed). Source trouble that outlasts the retries and client mistakes end the run too;
 * anything else (a bug) is thrown to the caller, which logs it with its stack.
 */
import { isReadable, type ColumnSchema, type ReadableConnector } from '../connectors/connector.ts';
import { parseFilter } from '../connectors/filter.ts';
import { isAppError } from '../domain/errors.ts';
import type { Flow } from '../domain/flow-entities.ts';
import type { Run, RunError } from '../domain/run.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { RunDeps } from './run-deps.ts';
import { classify, withRetries } from './retry.ts';
import { createRowMapper, identityMappings, type MappingPair, type RowMapper } from './row-mapper.ts';

export interface Plan {
  readonly tenant: Tenant;
  readonly flow: Flow;
  readonly connector: ReadableConnector;
  readonly params: Record<string, unknown>;
  readonly table: string;
  readonly filter?: ReturnType<typeof parseFilter>;
  readonly dataSetId: string;
  readonly columns: readonly ColumnSchema[];
  readonly keyColumns: readonly string[];
  readonly mapper: RowMapper;
  /**
   * Whether the run moves the flow's cursor (scheduled windows on a delta column; not on-demand ones, nor
   * repair runs, which re-land a window the cursor is already past).
   */
  readonly tracked: boolean;
  readonly partialPercent: number;
  /** Ranges the read is split into (options.parallelism), when the source can split it; 1 = one stream. */
  readonly parallelism: number;
  readonly diagnostics: boolean;
}

export type PlanOutcome =
  | { readonly kind: 'ready'; readonly plan: Plan }
  | { readonly kind: 'end'; readonly state: 'failed' | 'cancelled'; readonly error: RunError };

export const tenantOf = (run: Run): Tenant => ({
  orgId: run.imsOrgId,
  sandboxId: run.sandboxId,
  sandboxName: run.sandboxName,
});

const failed = (code: RunError['code'], message: string): PlanOutcome => ({
  kind: 'end',
  state: 'failed',
  error: { code, message },
});

async function mappingPairs(
  deps: RunDeps,
  tenant: Tenant,
  flow: Flow,
  declared: readonly { readonly name: string }[],
): Promise<{ readonly pairs: readonly MappingPair[] } | { readonly error: RunError }> {
  const step = flow.transformations.find((t) => t.name === 'Mapping');
  if (!step) return { pairs: identityMappings(declared) };
  const id = typeof step.params['mappingId'] === 'string' ? step.params['mappingId'] : '';
  const version = Number(step.params['mappingVersion'] ?? 0);
  const set = Number.isSafeInteger(version) ? await deps.mappings.get(tenant, id, version) : undefined;
  if (set) return { pairs: set.mappings };
  return {
    error: {
      code: 'CONNECTOR-2001-500',
      message: `The mapping set ${id} version ${String(version)} the flow uses was deleted.`,
    },
  };
}

export async function planRun(deps: RunDeps, run: Run, signal: AbortSignal): Promise<PlanOutcome> {
  const tenant = tenantOf(run);
  const flow = await deps.flows.get(tenant, run.flowId);
  if (!flow) return failed('CONNECTOR-2001-500', `The flow ${run.flowId} was deleted.`);
  if (flow.state !== 'enabled') {
    return {
      kind: 'end',
      state: 'cancelled',
      error: {
        code: 'FLOW-1388-400',
        message: `The flow ${flow.id} was ${flow.state} when this run was due to start; nothing was read. Enable the flow and its next run starts where the last committed run ended.`,
      },
    };
  }
  const source = await deps.sourceConnections.get(tenant, run.sourceConnectionId);
  const target = await deps.targetConnections.get(tenant, run.targetConnectionId);
  if (!source || !target)
    return failed('CONNECTOR-2001-500', "The flow's source or target connection was deleted.");
  const opened = await deps.sources.open(tenant, source.baseConnectionId);
  if (!opened)
    return failed('CONNECTOR-2001-500', `The base connection ${source.baseConnectionId} was deleted.`);
  const { connector, params } = opened;
  if (!isReadable(connector))
    return failed('CONNECTOR-2001-500', `The ${connector.specId} connector cannot be read by flows.`);
  const dataset = await deps.datasets.getDataset(tenant, target.params.dataSetId);
  if (!dataset)
    return failed('CONNECTOR-2001-500', `The target dataset ${target.params.dataSetId} was deleted.`);

  const ctx = deps.sources.context(signal);
  const retried = <T>(what: string, call: () => Promise<T>): Promise<T> =>
    withRetries(deps.settings.retry, signal, call, {
      onRetry: (error, trouble, delayMs) => {
        deps.log.warn(
          {
            code: isAppError(error) ? error.code : undefined,
          },
          `run ${run.id}: ${what} failed (${trouble}), retrying in ${String(delayMs)} ms`,
        );
      },
    });
  let readPlan;
  try {
    const prepare = connector.prepareRead?.bind(connector);
    if (prepare) await retried('preparing the source', () => prepare(params, ctx));
    readPlan = await retried('planning the read', () =>
      connector.planRead(params, source.params.tableName, ctx),
    );
  } catch (error) {
    if (classify(error) === 'bug' || !isAppError(error) || signal.aborted) throw error;
    return failed('CONNECTOR-1001-500', `Preparing the read from the source failed: ${error.message}`);
  }

  const mapping = await mappingPairs(deps, tenant, flow, source.params.columns);
  if ('error' in mapping) return { kind: 'end', state: 'failed', error: mapping.error };
  const { pairs } = mapping;
  // Convert from the live column types; declared columns only narrow what is read.
  let mapper: RowMapper;
  try {
    mapper = createRowMapper(pairs, readPlan.columns, dataset.schema);
  } catch (error) {
    if (!isAppError(error)) throw error;
    return failed('CONNECTOR-2001-500', error.message);
  }
  const options = flow.options ?? {};
  const percent = options['partialIngestionPercent'];
  return {
    kind: 'ready',
    plan: {
      tenant,
      flow,
      connector,
      params,
      table: source.params.tableName,
      ...(source.params.filters === undefined ? {} : { filter: parseFilter(source.params.filters) }),
      dataSetId: target.params.dataSetId,
      columns: readPlan.columns,
      keyColumns: readPlan.keyColumns,
      mapper,
      tracked: run.kind !== 'onDemand' && run.deltaColumn !== undefined && run.replacesBatchId === undefined,
      partialPercent: typeof percent === 'number' ? percent : 0,
      parallelism: typeof options['parallelism'] === 'number' ? options['parallelism'] : 1,
      diagnostics: options['errorDiagnosticsEnabled'] === true,
    },
  };
}
