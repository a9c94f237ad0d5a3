/**
 * Runs: one execution of a flow over a time window of its delta column. A run is created `scheduled`
 * (or `queued` behind the flow's current run), claimed by a worker (`inProgress`, under a claim the
 * worker keeps alive with heartbeats), and ends `success` (its batch and the flow's cursor committed in
 * one transaction), `failed` (nothing committed) or `cancelled`. States change only through `transition`,
 * which refuses any change the table below does not list.
 */
import type { SpecRef } from './connection.ts';
import type { EntityMeta } from './entity.ts';
import type { ErrorCode } from './error-catalog.ts';

export type RunState = 'queued' | 'scheduled' | 'inProgress' | 'success' | 'failed' | 'cancelled';
export type RunKind = 'scheduled' | 'onDemand' | 'retrigger';

/**
 * The lifecycle as a literal transition table.
 * - queued → scheduled: the flow's current run ended, so the oldest queued run becomes current.
 * - inProgress → scheduled: a worker handed the run back (graceful stop); another starts it at once.
 * - inProgress → inProgress: a worker took the run over from one that stopped heartbeating.
 */
export const runTransitions: Readonly<Record<RunState, readonly RunState[]>> = {
  queued: ['scheduled', 'cancelled'],
  scheduled: ['inProgress', 'cancelled'],
  inProgress: ['success', 'failed', 'cancelled', 'scheduled', 'inProgress'],
  success: [],
  failed: [],
  cancelled: [],
};

/** States that hold the flow's one execution slot (the partial unique index on runs.active). */
export const ACTIVE_RUN_STATES: readonly RunState[] = ['scheduled', 'inProgress'];
/** States of a run that has not ended. */
export const PENDING_RUN_STATES: readonly RunState[] = ['queued', 'scheduled', 'inProgress'];
export const isTerminal = (state: RunState): boolean => runTransitions[state].length === 0;

/** A run state change that the lifecycle does not allow: a bug in the caller, never a client mistake. */
export class RunTransitionError extends Error {
  constructor(run: Pick<Run, 'id' | 'state'>, to: RunState) {
    super(`run ${run.id}: ${run.state} → ${to} is not a transition of the run lifecycle`);
    this.name = 'RunTransitionError';
  }
}

type TransitionChanges = Partial<Omit<Run, 'id' | 'state' | 'updatedAt' | 'flowId' | 'imsOrgId'>>;

/** `run` moved to `to` at `at`, with `changes`; throws RunTransitionError when the table forbids it. */
export function transition(run: Run, to: RunState, at: number, changes: TransitionChanges = {}): Run {
  if (!runTransitions[run.state].includes(to)) throw new RunTransitionError(run, to);
  const ending = isTerminal(to);
  return {
    ...run,
    ...changes,
    state: to,
    updatedAt: at,
    ...(ending && changes.completedAt === undefined ? { completedAt: at } : {}),
  };
}

/** `[start, end)` in epoch ms on the delta column; `start` null = from the beginning of history. */
export interface RunWindow {
  readonly start: number | null;
  readonly end: number;
}

export interface RunCounters {
  readonly inputRecords: number;
  readonly outputRecords: number;
  readonly failedRecords: number;
  /** Rows dropped because an overlapping earlier window already landed them (same key and delta value). */
  readonly duplicateRecords: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly outputFiles: number;
}

export const ZERO_COUNTERS: RunCounters = {
  inputRecords: 0,
  outputRecords: 0,
  failedRecords: 0,
  duplicateRecords: 0,
  inputBytes: 0,
  outputBytes: 0,
  outputFiles: 0,
};

/** A source row that could not be converted: its key (or position), the column and why. */
export interface RowErrorRecord {
  readonly row: string;
  readonly column: string;
  readonly reason: string;
}

export interface RunError {
  readonly code: ErrorCode;
  readonly message: string;
}

export interface Run extends EntityMeta {
  readonly flowId: string;
  readonly flowSpec: SpecRef;
  readonly state: RunState;
  readonly kind: RunKind;
  readonly window: RunWindow;
  /** The delta column the window applies to; absent for a whole-table (once) copy. */
  readonly deltaColumn?: string;
  /** On-demand runs echo the params they were created with, as Adobe's do. */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly scheduledAt: number;
  /** Claims so far; a crash or lost lease makes the next claim attempt+1. */
  readonly attempt: number;
  readonly startedAt?: number;
  readonly copyCompletedAt?: number;
  readonly completedAt?: number;
  readonly counters: RunCounters;
  readonly errors: readonly RunError[];
  /** The dataset batch this run writes (or committed). */
  readonly batchId?: string;
  readonly dataSetId?: string;
  readonly sourceConnectionId: string;
  readonly targetConnectionId: string;
  /** A RE_TRIGGER run points at the run whose window it repeats. */
  readonly retriggerOf?: string;
  /**
   * A repair run (RE_TRIGGER of a success run whose batch is damaged) re-lands its window from the source
   * into a new batch; its commit turns this batch `inactive` in the same transaction. It never moves the
   * flow's cursor.
   */
  readonly replacesBatchId?: string;
  /** Row errors, kept when the flow enables errorDiagnostics: the first few, as samples. */
  readonly rowErrorSamples?: readonly RowErrorRecord[];
  /** The batch file holding every row error (relative lake path), when written. */
  readonly rowErrorsFile?: string;
  /** Live progress while in progress: rows read so far and when last updated. */
  readonly progress?: { readonly rowsRead: number; readonly rowsWritten: number; readonly updatedAt: number };
}
