/**
 * When a flow's next run is due and which window it covers — a pure function of the schedule, the
 * committed cursor and the clock, so it can be tested exhaustively and re-derived after any crash.
 *
 * Guarantees (see docs/exactly-once.md):
 * - windows are half-open `[start, end)` and each starts exactly where the last committed one ended,
 *   so consecutive windows neither overlap nor leave a gap (a row stamped exactly on a boundary belongs
 *   to the later window);
 * - `end` is the run's due time minus a safety lag, never later than `now - lag`, so rows still being
 *   written at the source when the run reads are left for the next window;
 * - missed periods (the server was down) are coalesced into one run covering all of them.
 */
import { FREQUENCY_MS, type Schedule } from '../domain/flow-entities.ts';
import type { RunWindow } from '../domain/run.ts';

export interface DueRun {
  readonly scheduledAt: number;
  readonly window: RunWindow;
}

export interface WindowInput {
  readonly schedule: Schedule;
  /** The end of the last committed window; undefined before the first commit. */
  readonly committedEnd: number | undefined;
  /** Whether the flow ever had a run (a once flow runs once by schedule). */
  readonly hasRuns: boolean;
  readonly now: number;
  readonly lagMs: number;
}

export function nextDueRun(input: WindowInput): DueRun | undefined {
  const { schedule, committedEnd, now, lagMs } = input;
  if (schedule.startTime > now) return undefined;
  if (schedule.frequency === 'once' || schedule.interval === undefined) {
    // A once flow copies the whole table once, at its start time; later runs are on demand.
    return input.hasRuns
      ? undefined
      : { scheduledAt: schedule.startTime, window: { start: null, end: schedule.startTime } };
  }
  const period = FREQUENCY_MS[schedule.frequency] * schedule.interval;
  // The latest due time that has passed: startTime + k·period ≤ now.
  const latestDue = schedule.startTime + Math.floor((now - schedule.startTime) / period) * period;
  let start: number | null;
  if (committedEnd === undefined) {
    if (schedule.backfill) start = null;
    else start = schedule.startTime;
  } else {
    start = committedEnd;
  }
  const end = Math.min(latestDue, now) - lagMs;
  if (start !== null && end <= start) return undefined;
  return { scheduledAt: latestDue, window: { start, end } };
}
