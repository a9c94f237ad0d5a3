/**
 * Executes one claimed run: read the window from the source in batches, map each row, write Parquet
 * into a new dataset batch, then — in ONE store transaction — commit the batch, advance the flow's
 * cursor (compare-and-set from the window's start) and mark the run `success`, all conditioned on this
 * runner still holding the run's lease. Anything that fails before that transaction commits leaves no
 * visible rows and an unmoved cursor, so the window is simply read again by the next attempt.
 */
import { isReadable, type ColumnSchema, type ReadableConnector } from '../connectors/connector.ts';
import { parseFilter } from '../connectors/filter.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import type { DeltaColumn, Flow } from '../domain/flow-entities.ts';
import type { Run, RunCounters, RunError } from '../domain/run.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { BatchWriter, BatchWriteResult } from '../lake/index.ts';
import { createOverlapGuard, type OverlapGuard } from './overlap.ts';
import { readAhead } from './read-ahead.ts';
import type { RunnerPorts } from './ports.ts';
import { classify, withRetries } from './retry.ts';
import { createRowMapper, identityMappings, type RowMapper } from './row-mapper.ts';

/** The run was cancelled or another runner took it over: stop without touching it. */
export class LeaseLost extends Error {}

/**
 * The flow was disabled (or is a draft) when its run was claimed: runs created before the disable are
 * not started, so disabling stops a flow's reads at once; the run ends `cancelled` having read nothing.
 */
class FlowNotEnabled extends Error {}

interface Plan {
  readonly tenant: Tenant;
  readonly flow: Flow;
  readonly connector: ReadableConnector;
  readonly params: Record<string, unknown>;
  readonly table: string;
  readonly filter?: ReturnType<typeof parseFilter>;
  readonly dataSetId: string;
  readonly keyColumns: readonly string[];
  readonly mapper: RowMapper;
  readonly tracked: boolean;
  readonly partialPercent: number;
  readonly diagnostics: boolean;
}

const tenantOf = (run: Run): Tenant => ({
  orgId: run.imsOrgId,
  sandboxId: run.sandboxId,
  sandboxName: run.sandboxName,
});
const iso = (ms: number): string => new Date(ms).toISOString();

/** How far a failed copy got: planning (no read started) or `attempts` complete reads of the window. */
const whatFailed = (attempts: number): string =>
  attempts === 0
    ? 'Preparing the read from the source failed'
    : `Copying from the source failed after ${attempts === 1 ? '1 attempt' : `${String(attempts)} attempts`}`;
const copyError = (message: string): AppError => new AppError('CONNECTOR-1001-500', message);
const processingError = (message: string): AppError => new AppError('CONNECTOR-2001-500', message);

export function createExecutor(ports: RunnerPorts, owner: string) {
  const { runs, settings } = ports;

  async function plan(run: Run, signal: AbortSignal): Promise<Plan> {
    const tenant = tenantOf(run);
    const flow = await ports.flows.get(tenant, run.flowId);
    if (!flow) throw processingError(`The flow ${run.flowId} was deleted.`);
    if (flow.state !== 'enabled') {
      throw new FlowNotEnabled(
        `The flow ${flow.id} was ${flow.state} when this run was due to start; nothing was read. Enable the flow and its next run starts where the last committed run ended.`,
      );
    }
    const source = await ports.sourceConnections.get(tenant, run.sourceConnectionId);
    const target = await ports.targetConnections.get(tenant, run.targetConnectionId);
    if (!source || !target) throw processingError("The flow's source or target connection was deleted.");
    const { connection, params } = await ports.openConnection(tenant, source.baseConnectionId);
    const connector = ports.connectorFor(connection.connectionSpec.id);
    if (!isReadable(connector))
      throw processingError(`The ${connection.connectionSpec.id} connector cannot be read by flows.`);
    const schema = await ports.datasetSchema(tenant, target.params.dataSetId);
    if (!schema) throw processingError(`The target dataset ${target.params.dataSetId} was deleted.`);

    const ctx = ports.contextFor(signal);
    const retried = <T>(what: string, call: () => Promise<T>): Promise<T> =>
      withRetries(settings.retry, signal, call, {
        onRetry: (error, trouble, delayMs) => {
          ports.log('warn', `run ${run.id}: ${what} failed (${trouble}), retrying in ${delayMs} ms`, {
            code: isAppError(error) ? error.code : undefined,
          });
        },
      });
    const prepare = connector.prepareRead?.bind(connector);
    if (prepare) await retried('preparing the source', () => prepare(params, ctx));
    const readPlan = await retried('planning the read', () =>
      connector.planRead(params, source.params.tableName, ctx),
    );

    const mappingStep = flow.transformations.find((t) => t.name === 'Mapping');
    const pairs = mappingStep
      ? await ports.resolveMapping(
          tenant,
          String(mappingStep.params['mappingId']),
          (mappingStep.params['mappingVersion'] as string | number | undefined) ?? 0,
        )
      : identityMappings(source.params.columns);
    // Convert from the live column types; declared columns only narrow what is read.
    const live: ColumnSchema[] = [...readPlan.columns];
    let mapper: RowMapper;
    try {
      mapper = createRowMapper(pairs, live, schema);
    } catch (error) {
      throw processingError(isAppError(error) ? error.message : 'The mapping cannot be applied.');
    }
    const options = flow.options ?? {};
    const percent = options['partialIngestionPercent'];
    return {
      tenant,
      flow,
      connector,
      params,
      table: source.params.tableName,
      ...(source.params.filters === undefined ? {} : { filter: parseFilter(source.params.filters) }),
      dataSetId: target.params.dataSetId,
      keyColumns: readPlan.keyColumns,
      mapper,
      tracked: run.kind !== 'onDemand' && run.deltaColumn !== undefined,
      partialPercent: typeof percent === 'number' ? percent : 0,
      diagnostics: options['errorDiagnosticsEnabled'] === true,
    };
  }

  /** One complete read of the window into a new batch; a retry starts over with a fresh batch. */
  async function copyWindow(
    run: Run,
    p: Plan,
    signal: AbortSignal,
    counters: { value: RunCounters },
    guard: OverlapGuard | undefined,
  ) {
    const { batchId, writer } = await ports.batches.begin(p.tenant, p.dataSetId, {
      flowId: run.flowId,
      runId: run.id,
    });
    const rowErrors: { row: string; column: string; reason: string }[] = [];
    const fresh: RunCounters = {
      ...counters.value,
      inputRecords: 0,
      outputRecords: 0,
      failedRecords: 0,
      duplicateRecords: 0,
      inputBytes: 0,
    };
    counters.value = fresh;
    try {
      const overlap = guard && run.window.start !== null ? settings.overlapMs : 0;
      const columns = [
        ...new Set([
          ...p.mapper.sourceColumns,
          ...p.keyColumns,
          ...(run.deltaColumn ? [run.deltaColumn] : []),
        ]),
      ];
      const stream = p.connector.read(
        p.params,
        {
          table: p.table,
          columns,
          ...(p.filter === undefined ? {} : { filter: p.filter }),
          ...(run.deltaColumn === undefined
            ? {}
            : {
                window: {
                  column: run.deltaColumn,
                  ...(run.window.start === null ? {} : { start: iso(run.window.start - overlap) }),
                  end: iso(run.window.end),
                },
              }),
          batchSize: settings.readBatchSize,
        },
        ports.contextFor(signal),
      );
      let index = 0;
      // Reading the next batch overlaps mapping and writing this one (at most one batch in flight).
      for await (const batch of readAhead(stream)) {
        const out: Record<string, unknown>[] = [];
        let failed = 0;
        let duplicates = 0;
        for (const row of batch.rows) {
          index += 1;
          if (guard?.alreadyLanded(row)) {
            duplicates += 1;
            continue;
          }
          const mapped = p.mapper.map(row);
          if (mapped.ok) {
            out.push(mapped.value);
            guard?.landed(row);
          } else {
            failed += 1;
            if (rowErrors.length < settings.maxRowErrors) {
              const key =
                p.keyColumns.length > 0
                  ? p.keyColumns.map((column) => String(row[column] ?? '')).join('/')
                  : `#${index}`;
              for (const error of mapped.errors) rowErrors.push({ row: key, ...error });
            }
          }
        }
        await writer.append(out);
        const c = counters.value;
        counters.value = {
          ...c,
          inputRecords: c.inputRecords + batch.rows.length,
          outputRecords: c.outputRecords + out.length,
          failedRecords: c.failedRecords + failed,
          duplicateRecords: c.duplicateRecords + duplicates,
          inputBytes: c.inputBytes + batch.bytes,
        };
        if (signal.aborted) throw new LeaseLost('aborted');
      }
      return { batchId, writer, rowErrors };
    } catch (error) {
      await ports.batches.fail(writer, 'aborted').catch(() => undefined);
      throw error;
    }
  }

  async function commit(
    run: Run,
    p: Plan,
    batchId: string,
    result: BatchWriteResult,
    guard: OverlapGuard | undefined,
    finished: Run,
  ): Promise<void> {
    const now = ports.now();
    await runs.transaction(async (trx) => {
      await ports.batches.commit(batchId, result, trx);
      if (p.tracked) {
        const cursor = await runs.cursor(run.flowId, trx);
        if (cursor !== undefined && cursor.committedEnd !== run.window.start) {
          throw processingError(
            `The window [${run.window.start === null ? 'start' : iso(run.window.start)}, ${iso(run.window.end)}) no longer follows the flow's committed position (${iso(cursor.committedEnd)}); it was landed by run ${cursor.lastRunId}. Nothing was committed.`,
          );
        }
        const moved = await runs.advanceCursor(
          p.tenant,
          {
            flowId: run.flowId,
            committedEnd: run.window.end,
            boundaryKeys: guard?.entries() ?? [],
            lastRunId: run.id,
          },
          cursor?.committedEnd,
          now,
          trx,
        );
        if (!moved)
          throw processingError(
            "Another run moved the flow's position at the same time; nothing was committed.",
          );
      }
      if (!(await runs.finish(finished, owner, now, trx))) throw new LeaseLost('lease lost before commit');
    });
  }

  /** Run to the end; resolves with the final run (or undefined if the lease was lost or the run cancelled). */
  return async function execute(
    run: Run,
    signal: AbortSignal,
    onProgress: (counters: RunCounters) => void,
  ): Promise<Run | undefined> {
    const counters = { value: run.counters };
    const progress = setInterval(
      () => {
        onProgress(counters.value);
      },
      Math.max(100, settings.heartbeatMs / 2),
    );
    let phase: 'copy' | 'process' = 'copy';
    // Reads actually started, so a failure says how often the source was tried (a fatal error stops at one).
    let attempts = 0;
    // A finished batch that is not committed yet: if anything fails before the commit (a lost lease at
    // the commit, a failed row-errors write), it is ended `aborted` so it does not stay `loading`.
    let uncommitted: BatchWriter | undefined;
    try {
      const p = await plan(run, signal);
      const cursor =
        p.tracked && p.keyColumns.length > 0 && run.deltaColumn ? await runs.cursor(run.flowId) : undefined;
      const makeGuard = (): OverlapGuard | undefined =>
        p.tracked && p.keyColumns.length > 0 && run.deltaColumn
          ? createOverlapGuard({
              previous: cursor?.boundaryKeys ?? [],
              keyColumns: p.keyColumns,
              deltaColumn: run.deltaColumn,
              zoneStart: run.window.end - settings.overlapMs,
            })
          : undefined;
      let guard: OverlapGuard | undefined;
      const copied = await withRetries(
        settings.retry,
        signal,
        async () => {
          guard = makeGuard();
          attempts += 1;
          return copyWindow(run, p, signal, counters, guard);
        },
        {
          onRetry: (error, trouble, delayMs, failures) => {
            ports.log(
              'warn',
              `run ${run.id}: reading the source failed (${trouble}); attempt ${failures + 1} in ${delayMs} ms`,
              {
                code: isAppError(error) ? error.code : undefined,
              },
            );
          },
        },
      );
      uncommitted = copied.writer;
      const copyCompletedAt = ports.now();
      phase = 'process';
      const c = counters.value;
      const considered = c.outputRecords + c.failedRecords;
      const failedPercent = considered === 0 ? 0 : (c.failedRecords / considered) * 100;
      if (c.failedRecords > 0 && failedPercent > p.partialPercent) {
        await ports.batches.fail(copied.writer, 'failed').catch(() => undefined);
        const sample = copied.rowErrors
          .slice(0, 3)
          .map((e) => `row ${e.row} column ${e.column}: ${e.reason}`)
          .join('; ');
        throw processingError(
          `${c.failedRecords} of ${considered} rows (${failedPercent.toFixed(2)}%) could not be converted, above the allowed ${p.partialPercent}% (options.partialIngestionPercent); nothing was committed. First errors: ${sample}`,
        );
      }
      const result = await copied.writer.finish();
      let rowErrorsFile: string | undefined;
      if (p.diagnostics && copied.rowErrors.length > 0) {
        rowErrorsFile = await ports.batches.writeBatchFile(
          p.dataSetId,
          copied.batchId,
          'row-errors.jsonl',
          copied.rowErrors.map((error) => JSON.stringify(error)).join('\n') + '\n',
        );
      }
      const completedAt = ports.now();
      const errors: RunError[] =
        c.failedRecords > 0
          ? [
              {
                code: 'CONNECTOR-2001-500',
                message: `${c.failedRecords} row(s) could not be converted and were skipped (within partialIngestionPercent ${p.partialPercent}%).`,
              },
            ]
          : [];
      const finished: Run = {
        ...run,
        state: 'success',
        counters: { ...c, outputBytes: result.bytes, outputFiles: result.files.length },
        copyCompletedAt,
        completedAt,
        updatedAt: completedAt,
        batchId: copied.batchId,
        dataSetId: p.dataSetId,
        errors,
        ...(copied.rowErrors.length > 0 ? { rowErrorSamples: copied.rowErrors.slice(0, 20) } : {}),
        ...(rowErrorsFile === undefined ? {} : { rowErrorsFile }),
      };
      await commit(run, p, copied.batchId, result, guard, finished);
      uncommitted = undefined;
      return finished;
    } catch (error) {
      if (uncommitted) await ports.batches.fail(uncommitted, 'aborted').catch(() => undefined);
      if (error instanceof LeaseLost || (signal.aborted && !isAppError(error))) return undefined;
      const at = ports.now();
      if (error instanceof FlowNotEnabled) {
        const cancelled: Run = {
          ...run,
          state: 'cancelled',
          completedAt: at,
          updatedAt: at,
          errors: [{ code: 'FLOW-1388-400', message: error.message }],
        };
        return (await runs.finish(cancelled, owner, at)) ? cancelled : undefined;
      }
      let failure: AppError;
      if (isAppError(error) && (error.code === 'CONNECTOR-1001-500' || error.code === 'CONNECTOR-2001-500'))
        failure = error;
      else if (
        phase === 'copy' &&
        (classify(error) !== 'fatal' || (isAppError(error) && error.code.startsWith('CONNECTOR-')))
      ) {
        failure = copyError(
          `${whatFailed(attempts)}: ${isAppError(error) ? error.message : 'the source connection broke'}`,
        );
      } else {
        failure = processingError(
          isAppError(error) ? error.message : 'Processing the copied rows failed; see the server log.',
        );
        if (!isAppError(error)) ports.log('error', `run ${run.id} failed unexpectedly`, { err: error });
      }
      const failed: Run = {
        ...run,
        state: 'failed',
        counters: counters.value,
        completedAt: at,
        updatedAt: at,
        errors: [{ code: failure.code, message: failure.message }],
      };
      return (await runs.finish(failed, owner, at)) ? failed : undefined;
    } finally {
      clearInterval(progress);
    }
  };
}

export type { DeltaColumn };
