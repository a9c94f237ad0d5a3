/**
 * Executes one claimed run to its end: plan → copy → commit, each step returning a value that says what
 * happens next. Guarantees (docs/exactly-once.md): rows become visible only through the commit
 * transaction; a run that fails commits nothing and ends `failed` with a catalogued code; a run whose
 * claim is lost (another worker took it over, or it was cancelled) or whose worker is stopping writes
 * nothing more and reports `interrupted`, for the worker to abandon or hand back.
 *
 * Faults (src/flows/retry.ts): source trouble is retried inside plan and copy; a client mistake ends the
 * run at once; a bug (an error that is not a catalogued AppError, or an internal one) ends it at once as
 * FLOW-1102-500, with the stack in the log — never retried, never reported as a source failure.
 */
import { isAppError } from '../domain/errors.ts';
import { ZERO_COUNTERS, transition, type Run, type RunCounters, type RunError } from '../domain/run.ts';
import type { RunClaim } from '../store/queue/run-queue.ts';
import { commitWindow } from './commit.ts';
import { copyWindow, type CopyProgress } from './copy.ts';
import { planRun } from './plan.ts';
import type { RunDeps } from './run-deps.ts';

export type RunOutcome =
  | { readonly kind: 'ended'; readonly run: Run }
  /** Nothing committed and the claim is no longer this worker's to settle (lost, cancelled, stopping). */
  | { readonly kind: 'interrupted' };

/** Ends the claimed run `failed` or `cancelled`, committing nothing else. */
async function end(
  deps: RunDeps,
  claim: RunClaim,
  state: 'failed' | 'cancelled',
  error: RunError,
  counters: RunCounters,
): Promise<RunOutcome> {
  const final = transition(claim.run, state, deps.now(), { counters, errors: [error] });
  const settled = await deps.runs.transaction((trx) => deps.queue.settle(claim, final, trx));
  return settled ? { kind: 'ended', run: final } : { kind: 'interrupted' };
}

export async function executeRun(
  deps: RunDeps,
  claim: RunClaim,
  signal: AbortSignal,
  progress: CopyProgress = { counters: claim.run.counters },
): Promise<RunOutcome> {
  const run = claim.run;
  // Read through a function: the signal aborts while this runs, which narrowing would not see.
  const aborted = (): boolean => signal.aborted;
  try {
    const planned = await planRun(deps, run, signal);
    if (aborted()) return { kind: 'interrupted' };
    if (planned.kind === 'end') return await end(deps, claim, planned.state, planned.error, ZERO_COUNTERS);
    const { plan } = planned;
    const cursor =
      plan.tracked && plan.keyColumns.length > 0 && run.deltaColumn
        ? await deps.runs.cursor(run.flowId)
        : undefined;
    const copy = await copyWindow(deps, run, plan, cursor, signal, progress);
    if (copy.kind === 'interrupted') return copy;
    if (copy.kind === 'failed') return await end(deps, claim, 'failed', copy.error, copy.counters);
    if (aborted()) {
      await deps.batches.failBatch(copy.copied.writer, 'aborted').catch(() => undefined);
      return { kind: 'interrupted' };
    }
    const committed = await commitWindow(deps, claim, plan, copy.copied);
    switch (committed.kind) {
      case 'committed':
        return { kind: 'ended', run: committed.run };
      case 'failed':
        return await end(deps, claim, 'failed', committed.error, committed.counters);
      case 'lost':
        return { kind: 'interrupted' };
    }
  } catch (error) {
    if (aborted()) return { kind: 'interrupted' };
    // A bug: say so in the log with the stack, end the run with an internal code, never retry it.
    deps.log.error({ err: error }, `run ${run.id} of flow ${run.flowId} stopped on an internal error`);
    const message = isAppError(error)
      ? `An internal error stopped the run: ${error.message}. Nothing was committed.`
      : `An internal error stopped the run (${error instanceof Error ? error.name : 'unknown error'}); nothing was committed. The server log has the details under run ${run.id}.`;
    return end(deps, claim, 'failed', { code: 'FLOW-1102-500', message }, progress.counters).catch(
      (): RunOutcome => ({ kind: 'interrupted' }),
    );
  }
}
