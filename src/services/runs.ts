/**
 * Runs over the API (flow-service-api.md §3.8): list and get in Adobe's shape, on-demand runs of
 * `once` flows, RE_TRIGGER of a failed run's window (or, as a repair, of a success run whose batch is
 * damaged), cancel, and "run the next window now" for the CLI.
 * Execution itself belongs to the runner (src/flows); this service only creates and ends run rows.
 */
import type { CursorCodec } from '../domain/cursor.ts';
import { AppError } from '../domain/errors.ts';
import type { Flow, SourceConnection } from '../domain/flow-entities.ts';
import type { ParsedListRequest } from '../domain/listing.ts';
import { isTerminal, transition, type Run, type RunWindow } from '../domain/run.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import { deltaColumnOf, newRun, scheduleRun } from '../flows/scheduler.ts';
import type { RunQueue } from '../store/queue/run-queue.ts';
import type { EntityRepository } from '../store/entity-repository.ts';
import type { RunRepository } from '../store/run-repository.ts';
import { notFound, tenantOf } from './entity-support.ts';
import type { FlowService } from './flows.ts';
import type { DatasetService } from './datasets.ts';
import { collectPage, listScope, openPage, type ListOutcome } from './listing.ts';
import { representRun } from './run-view.ts';

export interface OnDemandInput {
  readonly flowId?: unknown;
  readonly params?: Record<string, unknown>;
}

export interface RunService {
  get(tenant: Tenant, id: string): Promise<Record<string, unknown>>;
  load(tenant: Tenant, id: string): Promise<Run>;
  list(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<Record<string, unknown>>>;
  /** The new run: the flow's current run, or `queued` behind it. */
  createOnDemand(
    actor: Actor,
    input: OnDemandInput,
  ): Promise<{ id: string; etag: string; state: Run['state'] }>;
  action(actor: Actor, id: string, op: string): Promise<Record<string, unknown>>;
  /** Sluice extension (CLI `sluice flows run`): the next window of a scheduled flow, now. */
  runNow(tenant: Tenant, flowId: string): Promise<Run>;
}

export interface RunServiceDeps {
  readonly runs: RunRepository;
  readonly queue: RunQueue;
  readonly flows: FlowService;
  readonly flowRepository: EntityRepository<Flow>;
  readonly sourceConnections: EntityRepository<SourceConnection>;
  /** Whether a success run's batch is damaged (a RE_TRIGGER of it is then a repair). */
  readonly batches: Pick<DatasetService, 'damageOf'>;
  readonly cursors: CursorCodec;
  readonly safetyLagMs: number;
  readonly now?: () => number;
}

const MS_THRESHOLD = 100_000_000_000;

/** The flowSpec's runSpec (ProviderParams): the only params an on-demand run takes. */
const RUN_PARAMS = ['startTime', 'windowStartTime', 'windowEndTime', 'deltaColumn'];

function assertDeclaredParams(params: Record<string, unknown>): void {
  const undeclared = Object.keys(params).filter((key) => !RUN_PARAMS.includes(key));
  if (undeclared.length === 0) return;
  // Names are shown only when they look like names: nothing unparsed is echoed.
  const shown = undeclared.map((key) =>
    /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(key) ? `'params.${key}'` : 'one',
  );
  throw new AppError(
    'CONNECTOR-1318-400',
    `Undeclared field${undeclared.length === 1 ? '' : 's'}: ${shown.join(', ')}. An on-demand run takes params ${RUN_PARAMS.join(', ')}; remove ${undeclared.length === 1 ? 'it' : 'them'} or correct the name.`,
    { declared: RUN_PARAMS },
  );
}

function epochMs(value: unknown, field: string): number {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(number) || number <= 0) {
    throw new AppError(
      'CONNECTOR-1384-400',
      `params.${field} must be an epoch time in seconds (or milliseconds), as a number or a string of digits.`,
    );
  }
  return number >= MS_THRESHOLD ? number : number * 1000;
}

export function createRunService(deps: RunServiceDeps): RunService {
  const { runs, cursors } = deps;
  const now = deps.now ?? Date.now;

  const load = async (tenant: Tenant, id: string): Promise<Run> => {
    const run = /^[0-9a-f-]{36}$/i.test(id) ? await runs.get(tenant, id) : undefined;
    if (!run) throw notFound('runs', id);
    return run;
  };

  const requireEnabled = (flow: Flow): void => {
    if (flow.state !== 'enabled') {
      throw new AppError(
        'FLOW-1388-400',
        `The flow ${flow.id} is ${flow.state}; enable it (POST /flows/${flow.id}/action?op=enable) first.`,
      );
    }
  };

  /** The run as the flow's current run, due now; refused (FLOW-1392-409) when the flow has one. */
  const insert = async (run: Run): Promise<Run> => {
    if (await scheduleRun(deps, run)) return run;
    const active = await runs.activeForFlow(run.flowId);
    throw new AppError(
      'FLOW-1392-409',
      `The flow ${run.flowId} has an active run${active ? ` (${active.id}, ${active.state})` : ''}; wait for it to end or cancel it.`,
      active ? { activeRunId: active.id } : {},
    );
  };

  const overlaps = (a: RunWindow, b: RunWindow): boolean =>
    (a.start ?? Number.NEGATIVE_INFINITY) < b.end && (b.start ?? Number.NEGATIVE_INFINITY) < a.end;

  /**
   * An on-demand (or re-triggered) run: the flow's current run when it has none, else queued behind it
   * (it starts when the runs before it have ended). A window overlapping one still pending is refused.
   */
  const insertOrQueue = async (run: Run): Promise<Run> => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (await scheduleRun(deps, run)) return run;
      const pending = await runs.pendingForFlow(run.flowId);
      const clash = pending.find((other) => other.kind !== 'scheduled' && overlaps(other.window, run.window));
      if (clash) {
        throw new AppError(
          'FLOW-1391-409',
          `The window overlaps run ${clash.id} of the flow (${clash.state}), which covers [${clash.window.start === null ? 'beginning' : new Date(clash.window.start).toISOString()}, ${new Date(clash.window.end).toISOString()}); wait for it to end, or ask for a window that does not overlap.`,
          { runId: clash.id },
        );
      }
      const queued: Run = { ...run, state: 'queued' };
      const placed = await runs.transaction(async (trx) => {
        await runs.insertQueued(queued, trx);
        // The current run may have ended meanwhile: then this one takes the slot at once.
        await deps.queue.advance(run.flowId, trx);
        return true;
      });
      if (placed) return (await runs.getById(run.id)) ?? queued;
    }
    throw new AppError('FLOW-1392-409', `The flow ${run.flowId} is busy; try again.`);
  };

  /**
   * RE_TRIGGER of a success run whose batch is damaged: a repair run re-reads the run's window from the
   * source (untracked: the flow's cursor stays where it is) and its commit retires the damaged batch.
   * Refused when the batch is intact, already replaced, or the flow now writes to another dataset.
   */
  const repair = async (tenant: Tenant, run: Run): Promise<Run> => {
    const refuse = (why: string) => new AppError('FLOW-1387-400', `Run ${run.id} succeeded ${why}.`);
    if (run.batchId === undefined || run.dataSetId === undefined)
      throw refuse('without landing a batch: nothing to repair');
    const { batch, files } = await deps.batches.damageOf(tenant, run.batchId);
    if (batch.status !== 'success')
      throw refuse(
        `and its batch ${batch.id} is ${batch.status} (already replaced by a repair run): nothing to repair`,
      );
    if (files.length === 0)
      throw refuse(
        `and its batch ${batch.id} is intact (every file matches its size and SHA-256): nothing to repair`,
      );
    const flow = await deps.flows.load(tenant, run.flowId);
    requireEnabled(flow);
    if (run.targetConnectionId !== flow.targetConnectionIds[0]) {
      throw refuse(
        `into a dataset the flow no longer writes to (its target connection changed): re-land batch ${batch.id} by another flow over the same source`,
      );
    }
    const at = now();
    return insertOrQueue(
      newRun(flow, run.window, at, at, 'retrigger', {
        retriggerOf: run.id,
        replacesBatchId: batch.id,
        ...(run.deltaColumn === undefined ? {} : { deltaColumn: run.deltaColumn }),
        ...(run.params === undefined ? {} : { params: run.params }),
      }),
    );
  };

  return {
    load,
    async get(tenant, id) {
      return representRun(await load(tenant, id));
    },

    async list(tenant, request) {
      const scope = listScope('runs', tenant);
      const { query, after } = openPage(request, cursors, scope);
      // `flowId==<one id>` (how clients list a flow's runs) narrows the scan in SQL.
      const flowFilter = query.filters.find(
        (filter) =>
          filter.path.length === 1 &&
          filter.path[0]?.key === 'flowId' &&
          filter.operator === '==' &&
          filter.values.length === 1,
      );
      const flowId = flowFilter?.values[0];
      return collectPage({
        query,
        ...(after === undefined ? {} : { after }),
        chunk: 500,
        scan: (from, limit) =>
          runs.scan(tenant, {
            direction: query.orderBy.direction,
            limit,
            ...(from === undefined ? {} : { after: from }),
            ...(flowId === undefined ? {} : { flowId }),
          }),
        positionOf: (run) => ({ value: run.createdAt, id: run.id }),
        represent: representRun,
        token: (carried, position) => cursors.encode({ query: carried, position }, scope),
      });
    },

    async createOnDemand(actor, input) {
      const tenant = tenantOf(actor);
      if (typeof input.flowId !== 'string')
        throw new AppError('CONNECTOR-1384-400', 'flowId is required: the id of a flow with frequency once.');
      let flow: Flow;
      try {
        flow = await deps.flows.load(tenant, input.flowId);
      } catch {
        throw new AppError('FLOW-1338-400', `flowId: no flow ${input.flowId} exists in this sandbox.`);
      }
      if (flow.schedule?.frequency !== 'once') {
        throw new AppError(
          'FLOW-1386-400',
          `On-demand runs are only for flows with frequency once; flow ${flow.id} runs on its schedule (${flow.schedule?.frequency ?? 'none'}).`,
        );
      }
      requireEnabled(flow);
      const params = input.params ?? {};
      assertDeclaredParams(params);
      const start = epochMs(params['windowStartTime'], 'windowStartTime');
      const end = epochMs(params['windowEndTime'], 'windowEndTime');
      if (end <= start)
        throw new AppError(
          'CONNECTOR-1381-400',
          'params.windowEndTime must be after params.windowStartTime.',
        );
      const given = params['deltaColumn'] as { name?: unknown } | undefined;
      const givenName = typeof given?.name === 'string' ? given.name : undefined;
      let deltaColumn = deltaColumnOf(flow);
      if (deltaColumn === undefined) {
        if (givenName === undefined) {
          throw new AppError(
            'CONNECTOR-1383-400',
            'The first on-demand run of a table flow needs params.deltaColumn.name (the date/time column to window on).',
          );
        }
        const source = await deps.sourceConnections.get(tenant, flow.sourceConnectionIds[0] ?? '');
        const column = source?.params.columns.find((candidate) => candidate.name === givenName);
        if (
          !column ||
          (!['date', 'date-time'].includes(column.type) &&
            !['date', 'date-time'].includes(column['meta:xdmType'] ?? ''))
        ) {
          throw new AppError(
            'CONNECTOR-1370-400',
            `params.deltaColumn '${givenName}' is not a date/date-time column of the flow's source connection.`,
          );
        }
        // Adobe copies the first on-demand run's delta column into the flow's Copy transformation.
        const updated: Flow = {
          ...flow,
          transformations: [
            ...flow.transformations,
            { name: 'Copy', params: { deltaColumn: { name: givenName } } },
          ],
        };
        await deps.flowRepository.update(updated, flow.etag);
        flow = updated;
        deltaColumn = givenName;
      } else if (givenName !== undefined && givenName !== deltaColumn) {
        throw new AppError(
          'CONNECTOR-1382-400',
          `params.deltaColumn '${givenName}' differs from the flow's delta column '${deltaColumn}'.`,
        );
      }
      const at = now();
      const run = await insertOrQueue(
        newRun(flow, { start, end }, at, at, 'onDemand', { deltaColumn, params }),
      );
      return { id: run.id, etag: run.etag, state: run.state };
    },

    async action(actor, id, op) {
      const tenant = tenantOf(actor);
      const run = await load(tenant, id);
      const action = op.toUpperCase();
      if (action === 'RE_TRIGGER' && run.state === 'success') return representRun(await repair(tenant, run));
      if (action === 'RE_TRIGGER') {
        if (run.state !== 'failed' && run.state !== 'cancelled') {
          throw new AppError(
            'FLOW-1387-400',
            `Only failed or cancelled runs (or a success run whose batch is damaged) can be re-triggered; run ${id} is ${run.state}.`,
          );
        }
        // A tracked window commits only where the flow's position stands; once a later run has landed it
        // (the position moved on), a re-trigger could only fail, so it is refused here.
        const cursor =
          run.kind !== 'onDemand' && run.deltaColumn !== undefined
            ? await runs.cursor(run.flowId)
            : undefined;
        if (cursor !== undefined && cursor.committedEnd !== run.window.start) {
          throw new AppError(
            'FLOW-1387-400',
            `Run ${id}'s window was already landed by a later run (${cursor.lastRunId}); the flow has landed everything up to ${new Date(cursor.committedEnd).toISOString()}. Nothing to re-trigger.`,
          );
        }
        const flow = await deps.flows.load(tenant, run.flowId);
        requireEnabled(flow);
        const at = now();
        const retry = newRun(flow, run.window, at, at, 'retrigger', {
          retriggerOf: run.id,
          ...(run.deltaColumn === undefined ? {} : { deltaColumn: run.deltaColumn }),
          ...(run.kind === 'onDemand' ? { kind: 'onDemand' as const } : {}),
          ...(run.params === undefined ? {} : { params: run.params }),
        });
        return representRun(await insertOrQueue(retry));
      }
      if (action === 'CANCEL') {
        const ended = () => new AppError('FLOW-1393-409', `Run ${id} has already ended (${run.state}).`);
        if (isTerminal(run.state)) throw ended();
        const cancelled = transition(run, 'cancelled', now(), {
          errors: [{ code: 'CONNECTOR-1001-500', message: 'The run was cancelled; nothing was committed.' }],
        });
        // Its worker's next heartbeat finds the claim gone and stops, committing nothing; the flow's next
        // queued run takes the slot in the same transaction.
        const done = await runs.transaction(async (trx) => {
          if (!(await runs.forceEnd(cancelled, now(), trx))) return false;
          await deps.queue.advance(run.flowId, trx);
          return true;
        });
        if (!done) throw ended();
        return representRun(cancelled);
      }
      throw new AppError(
        'FLOW-1421-400',
        `The action '${op}' is not supported for runs; use op=RE_TRIGGER or op=cancel.`,
      );
    },

    async runNow(tenant, flowId) {
      const flow = await deps.flows.load(tenant, flowId);
      requireEnabled(flow);
      const at = now();
      const deltaColumn = deltaColumnOf(flow);
      let window: RunWindow;
      if (flow.schedule?.frequency === 'once' || deltaColumn === undefined) {
        window = { start: null, end: at };
      } else {
        const cursor = await runs.cursor(flow.id);
        const start =
          cursor?.committedEnd ?? (flow.schedule?.backfill === false ? flow.schedule.startTime : null);
        const end = at - deps.safetyLagMs;
        if (start !== null && end <= start) {
          throw new AppError(
            'FLOW-1394-400',
            `The flow's next window would be empty: it has landed everything up to ${new Date(start).toISOString()} (minus the safety lag).`,
          );
        }
        window = { start, end };
      }
      return insert(
        newRun(flow, window, at, at, flow.schedule?.frequency === 'once' ? 'onDemand' : 'scheduled'),
      );
    },
  };
}
