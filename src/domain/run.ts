/**
 * Runs: one execution of a flow over a time window of its delta column. A run is created `scheduled`,
 * claimed by a runner (`inProgress`, under a lease the runner renews), and ends `success` (its batch and
 * the flow's cursor committed in one transaction), `failed` (nothing committed) or `cancelled`.
 */
import type { SpecRef } from './connection.ts';
import type { EntityMeta } from './entity.ts';

export type RunState = 'scheduled' | 'inProgress' | 'success' | 'failed' | 'cancelled';
export type RunKind = 'scheduled' | 'onDemand' | 'retrigger';

/** The lifecycle as a literal transition table. inProgress → scheduled is a lease handed back. */
export const runTransitions: Readonly<Record<RunState, readonly RunState[]>> = {
  scheduled: ['inProgress', 'cancelled'],
  inProgress: ['success', 'failed', 'cancelled', 'scheduled'],
  success: [],
  failed: [],
  cancelled: [],
};

export const ACTIVE_RUN_STATES: readonly RunState[] = ['scheduled', 'inProgress'];
export const isTerminal = (state: RunState): boolean => runTransitions[state].length === 0;

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

export interface RunError {
  readonly code: string;
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
  /** Row errors, kept when the flow enables errorDiagnostics: the first few, as samples. */
  readonly rowErrorSamples?: readonly {
    readonly row: string;
    readonly column: string;
    readonly reason: string;
  }[];
  /** The batch file holding every row error (relative lake path), when written. */
  readonly rowErrorsFile?: string;
  /** Live progress while in progress: rows read so far and when last updated. */
  readonly progress?: { readonly rowsRead: number; readonly rowsWritten: number; readonly updatedAt: number };
}
