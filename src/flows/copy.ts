/**
 * Copying a run's window: read it from the source in batches, map each row, write the mapped rows into a
 * new dataset batch. One attempt is one complete read into one batch; source trouble makes a fresh attempt
 * with a fresh batch (the failed attempt's batch is aborted and its files removed), as retry.ts decides.
 *
 * The result is a value: `copied` (the batch, written and not yet committed), `failed` (source trouble
 * outlasted the retries, or the source refused the read) or `interrupted` (the run's signal aborted: the
 * claim was lost or the worker is stopping; nothing of the attempt remains). A bug is thrown.
 */
import { isAppError } from '../domain/errors.ts';
import type { RowErrorRecord, Run, RunCounters, RunError } from '../domain/run.ts';
import type { ReadRequest, RecordBatch } from '../connectors/connector.ts';
import type { BatchWriter } from '../lake/index.ts';
import { createOverlapGuard, type OverlapGuard } from './overlap.ts';
import type { Plan } from './plan.ts';
import { mergeStreams, readAhead } from './read-ahead.ts';
import { holdingSlot } from './read-slots.ts';
import { classify, withRetries } from './retry.ts';
import type { RunDeps } from './run-deps.ts';
import type { FlowCursor } from '../store/run-repository.ts';

export interface Copied {
  readonly batchId: string;
  readonly writer: BatchWriter;
  readonly rowErrors: readonly RowErrorRecord[];
  readonly guard?: OverlapGuard;
  readonly counters: RunCounters;
  readonly completedAt: number;
}

export type CopyOutcome =
  | { readonly kind: 'copied'; readonly copied: Copied }
  | { readonly kind: 'failed'; readonly error: RunError; readonly counters: RunCounters }
  | { readonly kind: 'interrupted' };

/** Live counters of the current attempt, read by the worker's heartbeat for progress. */
export interface CopyProgress {
  counters: RunCounters;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const attemptsText = (attempts: number): string =>
  attempts === 1 ? '1 attempt' : `${String(attempts)} attempts`;

const resetCounters = (counters: RunCounters): RunCounters => ({
  ...counters,
  inputRecords: 0,
  outputRecords: 0,
  failedRecords: 0,
  duplicateRecords: 0,
  inputBytes: 0,
});

/**
 * The read of a window as one stream of batches: the request split into `plan.parallelism` ranges read at
 * once when the source can split it (every row in exactly one range), one stream otherwise; each stream
 * holds one of the worker's read slots. One stream reads the next batch while this one is mapped and
 * written (at most one batch in flight); split streams each have one pull in flight.
 */
async function openStreams(
  deps: RunDeps,
  plan: Plan,
  request: ReadRequest,
  signal: AbortSignal,
): Promise<AsyncIterable<RecordBatch>> {
  const ctx = deps.sources.context(signal);
  const ranges =
    plan.parallelism > 1 && plan.connector.splitRead
      ? await plan.connector.splitRead(plan.params, request, plan.parallelism, ctx)
      : [request];
  const streams = ranges.map((range) =>
    holdingSlot(deps.readSlots, signal, plan.connector.read(plan.params, range, ctx)),
  );
  const [only] = streams;
  return streams.length === 1 && only !== undefined ? readAhead(only) : mergeStreams(streams);
}

export async function copyWindow(
  deps: RunDeps,
  run: Run,
  plan: Plan,
  cursor: FlowCursor | undefined,
  signal: AbortSignal,
  progress: CopyProgress,
): Promise<CopyOutcome> {
  const { settings } = deps;
  const overlapping = plan.tracked && plan.keyColumns.length > 0 && run.deltaColumn !== undefined;
  const columns = [
    ...new Set([
      ...plan.mapper.sourceColumns,
      ...plan.keyColumns,
      ...(run.deltaColumn ? [run.deltaColumn] : []),
    ]),
  ];
  let attempts = 0;
  // The attempt that read the most: what a failed run reports as read.
  let furthest = progress.counters;

  const attempt = async (): Promise<Copied> => {
    attempts += 1;
    const guard: OverlapGuard | undefined =
      overlapping && run.deltaColumn
        ? createOverlapGuard({
            previous: cursor?.boundaryKeys ?? [],
            keyColumns: plan.keyColumns,
            deltaColumn: run.deltaColumn,
            zoneStart: run.window.end - settings.overlapMs,
          })
        : undefined;
    const { batch, writer } = await deps.batches.beginBatch(plan.tenant, plan.dataSetId, {
      flowId: run.flowId,
      runId: run.id,
      writer: { maxRowsPerFile: settings.fileMaxRows },
    });
    const rowErrors: RowErrorRecord[] = [];
    progress.counters = resetCounters(progress.counters);
    try {
      const overlap = guard && run.window.start !== null ? settings.overlapMs : 0;
      const request: ReadRequest = {
        table: plan.table,
        columns,
        ...(plan.filter === undefined ? {} : { filter: plan.filter }),
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
        plan: { columns: plan.columns, keyColumns: plan.keyColumns },
      };
      const stream = await openStreams(deps, plan, request, signal);
      let index = 0;
      const tally = (batch: {
        input: number;
        output: number;
        failed: number;
        duplicates: number;
        bytes: number;
      }): void => {
        const c = progress.counters;
        progress.counters = {
          ...c,
          inputRecords: c.inputRecords + batch.input,
          outputRecords: c.outputRecords + batch.output,
          failedRecords: c.failedRecords + batch.failed,
          duplicateRecords: c.duplicateRecords + batch.duplicates,
          inputBytes: c.inputBytes + batch.bytes,
        };
        if (progress.counters.inputRecords > furthest.inputRecords) furthest = progress.counters;
        if (signal.aborted) throw signal.reason;
      };
      for await (const read of stream) {
        // Columnar where the source delivers columns and no row needs the overlap guard.
        const columns =
          guard === undefined && read.columns !== undefined
            ? plan.mapper.mapColumns?.(read.columns)
            : undefined;
        if (columns !== undefined) {
          await writer.appendColumns(columns);
          index += columns.length;
          tally({
            input: columns.length,
            output: columns.length,
            failed: 0,
            duplicates: 0,
            bytes: read.bytes,
          });
          continue;
        }
        const out: Record<string, unknown>[] = [];
        let failed = 0;
        let duplicates = 0;
        for (const row of read.rows) {
          index += 1;
          if (guard?.alreadyLanded(row)) {
            duplicates += 1;
            continue;
          }
          const mapped = plan.mapper.map(row);
          if (mapped.ok) {
            out.push(mapped.value);
            guard?.landed(row);
          } else {
            failed += 1;
            if (rowErrors.length < settings.maxRowErrors) {
              const key =
                plan.keyColumns.length > 0
                  ? plan.keyColumns.map((column) => String(row[column] ?? '')).join('/')
                  : `#${String(index)}`;
              for (const error of mapped.errors) rowErrors.push({ row: key, ...error });
            }
          }
        }
        await writer.append(out);
        tally({ input: read.rows.length, output: out.length, failed, duplicates, bytes: read.bytes });
      }
      return {
        batchId: batch.id,
        writer,
        rowErrors,
        ...(guard === undefined ? {} : { guard }),
        counters: progress.counters,
        completedAt: deps.now(),
      };
    } catch (error) {
      await deps.batches.failBatch(writer, 'aborted').catch(() => undefined);
      throw error;
    }
  };

  try {
    const copied = await withRetries(settings.retry, signal, attempt, {
      onRetry: (error, trouble, delayMs, failures) => {
        deps.log.warn(
          { code: isAppError(error) ? error.code : undefined },
          `run ${run.id}: reading the source failed (${trouble}); attempt ${String(failures + 1)} in ${String(delayMs)} ms`,
        );
      },
    });
    return { kind: 'copied', copied };
  } catch (error) {
    if (signal.aborted) return { kind: 'interrupted' };
    if (classify(error) === 'bug' || !isAppError(error)) throw error;
    const detail = `${error.message}${error.code.startsWith('CONNECTOR-1001') ? '' : ` (${error.code})`}`;
    return {
      kind: 'failed',
      counters: furthest,
      error: {
        code: 'CONNECTOR-1001-500',
        message:
          classify(error) === 'fatal'
            ? `Copying from the source failed: ${detail}`
            : `Copying from the source failed after ${attemptsText(attempts)}: ${detail}`,
      },
    };
  }
}
