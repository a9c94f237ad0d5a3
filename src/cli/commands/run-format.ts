/** Plain-text renderings of runs and flows shared by `sluice flows …` and `sluice runs …`. */
import type { Flow, Schedule } from '../../domain/flow-entities.ts';
import { isTerminal, type RunWindow } from '../../domain/run.ts';
import type { RunInfo } from '../backend.ts';

export const iso = (millis: number | null | undefined): string =>
  millis === null || millis === undefined ? '' : new Date(millis).toISOString();

/** 850ms, 12.3s, 4m05s, 2h03m: short and unambiguous for a table cell or a progress line. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** Thousands separators, fixed to en-US so output does not depend on the machine's locale. */
export const count = (value: number): string => value.toLocaleString('en-US');

/**
 * A run's window as a half-open interval; a null start reads "beginning" (the whole history). Unknown
 * only over HTTP, for a scheduled run that has not started (the API states the window from then on).
 */
export const windowText = (window: RunWindow | undefined): string =>
  window === undefined
    ? '(stated once the run starts)'
    : `[${window.start === null ? 'beginning' : iso(window.start)}, ${iso(window.end)})`;

/** How long the run has taken: until it completed, or until `now` while it is still going. */
export function runDuration(run: RunInfo, now: number): number | undefined {
  if (run.startedAt === undefined) return undefined;
  if (run.completedAt !== undefined) return run.completedAt - run.startedAt;
  return isTerminal(run.state) ? undefined : now - run.startedAt;
}

export const RUN_HEADERS = [
  'RUN ID',
  'STATE',
  'KIND',
  'WINDOW START',
  'WINDOW END',
  'IN',
  'OUT',
  'FAILED',
  'DURATION',
];

export function runRow(run: RunInfo, now: number): string[] {
  const duration = runDuration(run, now);
  return [
    run.id,
    run.state,
    run.kind,
    run.window === undefined ? '' : run.window.start === null ? 'beginning' : iso(run.window.start),
    iso(run.window?.end),
    String(run.counters.inputRecords),
    String(run.counters.outputRecords),
    String(run.counters.failedRecords),
    duration === undefined ? '' : formatDuration(duration),
  ];
}

export function scheduleText(schedule: Schedule | undefined): string {
  if (schedule === undefined) return 'none';
  if (schedule.frequency === 'once') return `once at ${iso(schedule.startTime)}`;
  const interval = schedule.interval ?? 1;
  const unit = interval === 1 ? schedule.frequency : `${schedule.frequency}s`;
  return `every ${interval} ${unit} from ${iso(schedule.startTime)}${schedule.backfill ? '' : ' (no backfill)'}`;
}

/** The last run as the flow records it: "success at <completed or started ISO>". */
export function lastRunText(flow: Flow): [state: string, at: string] {
  const last = flow.lastRunDetails;
  if (last === undefined) return ['', ''];
  return [last.state, iso(last.completedAtUTC ?? last.startedAtUTC)];
}
