/**
 * Committing a copied window, the one step that makes rows visible. In ONE store transaction: the
 * batch turns `success`, the flow's cursor moves from the window's start to its end (compare-and-set;
 * tracked runs only), and the queue settles the claim — the run's final row and, with pg-boss, the job's
 * completion, both fenced to this claim. If any of them cannot be written, nothing is: a stale worker's
 * late commit, or a window some other run already landed, changes nothing.
 *
 * Before it, the rows that could not be converted are weighed against the flow's partialIngestionPercent
 * (above it the batch is failed, nothing is committed) and written to the batch's row-errors file when
 * the flow enables error diagnostics.
 *
 * A repair run (`run.replacesBatchId`) also turns the batch it re-lands `inactive` in that transaction, so
 * readers see either the damaged batch or its replacement, never both nor neither; the old files are
 * removed after the commit.
 *
 * The result is a value: `committed` (the final run), `failed` (the run must end failed with this error;
 * nothing was committed) or `lost` (the claim was lost before the commit; nothing was committed).
 */
import { transition, type Run, type RunCounters, type RunError } from '../domain/run.ts';
import type { RunClaim } from '../store/queue/run-queue.ts';
import type { FlowCursor } from '../store/run-repository.ts';
import type { Copied } from './copy.ts';
import type { Plan } from './plan.ts';
import type { RunDeps } from './run-deps.ts';

export type CommitOutcome =
  | { readonly kind: 'committed'; readonly run: Run }
  | { readonly kind: 'failed'; readonly error: RunError; readonly counters: RunCounters }
  | { readonly kind: 'lost' };

const iso = (ms: number): string => new Date(ms).toISOString();

/** Thrown inside the commit transaction to roll it back; turned into an outcome right outside it. */
class Rollback extends Error {
  readonly outcome: CommitOutcome;
  constructor(outcome: CommitOutcome) {
    super(`commit rolled back: ${outcome.kind}`);
    this.outcome = outcome;
  }
}

export async function commitWindow(
  deps: RunDeps,
  claim: RunClaim,
  plan: Plan,
  copied: Copied,
): Promise<CommitOutcome> {
  const run = claim.run;
  const c = copied.counters;
  const considered = c.outputRecords + c.failedRecords;
  const failedPercent = considered === 0 ? 0 : (c.failedRecords / considered) * 100;
  if (c.failedRecords > 0 && failedPercent > plan.partialPercent) {
    await deps.batches.failBatch(copied.writer, 'failed').catch(() => undefined);
    const sample = copied.rowErrors
      .slice(0, 3)
      .map((e) => `row ${e.row} column ${e.column}: ${e.reason}`)
      .join('; ');
    return {
      kind: 'failed',
      counters: c,
      error: {
        code: 'CONNECTOR-2001-500',
        message: `${String(c.failedRecords)} of ${String(considered)} rows (${failedPercent.toFixed(2)}%) could not be converted, above the allowed ${String(plan.partialPercent)}% (options.partialIngestionPercent); nothing was committed. First errors: ${sample}`,
      },
    };
  }

  const result = await copied.writer.finish();
  let rowErrorsFile: string | undefined;
  if (plan.diagnostics && copied.rowErrors.length > 0) {
    rowErrorsFile = await deps.batches.writeBatchFile(
      plan.dataSetId,
      copied.batchId,
      'row-errors.jsonl',
      copied.rowErrors.map((error) => JSON.stringify(error)).join('\n') + '\n',
    );
  }
  const completedAt = deps.now();
  const final = transition(run, 'success', completedAt, {
    counters: { ...c, outputBytes: result.bytes, outputFiles: result.files.length },
    copyCompletedAt: copied.completedAt,
    completedAt,
    batchId: copied.batchId,
    dataSetId: plan.dataSetId,
    errors:
      c.failedRecords > 0
        ? [
            {
              code: 'CONNECTOR-2001-500',
              message: `${String(c.failedRecords)} row(s) could not be converted and were skipped (within partialIngestionPercent ${String(plan.partialPercent)}%).`,
            },
          ]
        : [],
    ...(copied.rowErrors.length > 0 ? { rowErrorSamples: copied.rowErrors.slice(0, 20) } : {}),
    ...(rowErrorsFile === undefined ? {} : { rowErrorsFile }),
  });

  try {
    await deps.runs.transaction(async (trx) => {
      await deps.batches.commitBatch(copied.batchId, result, trx);
      if (plan.tracked) {
        const cursor: FlowCursor | undefined = await deps.runs.cursor(run.flowId, trx);
        if (cursor !== undefined && cursor.committedEnd !== run.window.start) {
          throw new Rollback({
            kind: 'failed',
            counters: c,
            error: {
              code: 'CONNECTOR-2001-500',
              message: `The window [${run.window.start === null ? 'start' : iso(run.window.start)}, ${iso(run.window.end)}) no longer follows the flow's committed position (${iso(cursor.committedEnd)}); it was landed by run ${cursor.lastRunId}. Nothing was committed.`,
            },
          });
        }
        const moved = await deps.runs.advanceCursor(
          plan.tenant,
          {
            flowId: run.flowId,
            committedEnd: run.window.end,
            boundaryKeys: copied.guard?.entries() ?? [],
            lastRunId: run.id,
          },
          cursor?.committedEnd,
          completedAt,
          trx,
        );
        if (!moved)
          throw new Rollback({
            kind: 'failed',
            counters: c,
            error: {
              code: 'CONNECTOR-2001-500',
              message: "Another run moved the flow's position at the same time; nothing was committed.",
            },
          });
      }
      if (
        run.replacesBatchId !== undefined &&
        !(await deps.batches.retireBatch(
          run.replacesBatchId,
          { datasetId: plan.dataSetId, batchId: copied.batchId, runId: run.id },
          trx,
        ))
      ) {
        throw new Rollback({
          kind: 'failed',
          counters: c,
          error: {
            code: 'CONNECTOR-2001-500',
            message: `The batch ${run.replacesBatchId} this run was to replace is no longer committed (another repair replaced it), or is not in the flow's target dataset; nothing was committed.`,
          },
        });
      }
      if (!(await deps.queue.settle(claim, final, trx))) throw new Rollback({ kind: 'lost' });
    });
  } catch (error) {
    // The batch stays `loading`: end it (its files go) unless it was committed, which the rollback undid.
    await deps.batches.failBatch(copied.writer, 'aborted').catch(() => undefined);
    if (error instanceof Rollback) return error.outcome;
    throw error;
  }
  if (run.replacesBatchId !== undefined) {
    // Readers no longer see the retired batch; its files can go. If this fails, lake GC removes them at
    // the next start (it keeps only `success` batches).
    await deps.batches.removeRetired(plan.dataSetId, run.replacesBatchId).catch((error: unknown) => {
      deps.log.warn(
        { batchId: run.replacesBatchId, err: error },
        `run ${run.id}: removing the replaced batch's files failed; the next start's lake GC removes them`,
      );
    });
  }
  return { kind: 'committed', run: final };
}
