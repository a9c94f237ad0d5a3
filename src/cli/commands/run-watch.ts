/**
 * `sluice runs watch <runId> [--interval-ms N]`: follows a run by polling it until it ends, from the store
 * in-process (every 500 ms) or with GET /runs/{id} from a remote server (every second). On a TTY one
 * progress line is redrawn in place; otherwise a line is printed every few seconds (and on each state
 * change), so logs stay readable. With --output json nothing is printed until the end, then the run.
 * Stopping the watch (Ctrl-C) never touches the run itself. A poll the server does not answer is retried
 * a few times before the watch gives up (a restarting server does not end it).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isAppError } from '../../domain/errors.ts';
import { isTerminal, type Run } from '../../domain/run.ts';
import type { RunInfo } from '../backend.ts';
import { jsonOutput, positiveIntFlag, type CliContext } from '../context.ts';
import { count, formatDuration, runDuration, windowText } from './run-format.ts';

export interface WatchOptions {
  /** How often the run is read (default: --interval-ms, else 500 ms in-process, 1 s over HTTP). */
  readonly pollMs?: number;
  /** Without a TTY: the longest gap between two printed lines while nothing changes state. */
  readonly reportEveryMs?: number;
  readonly now?: () => number;
}

/** Exit code when the watch was stopped before the run ended (128 + SIGINT, as shells report). */
export const WATCH_INTERRUPTED = 130;

const BAR_WIDTH = 12;
const BLOCK = '<=>';

/** An indeterminate bar: the total row count of a window is not known until it has been read. */
export function bounceBar(frame: number): string {
  const span = BAR_WIDTH - BLOCK.length;
  const step = frame % (2 * span);
  const at = step <= span ? step : 2 * span - step;
  return `[${' '.repeat(at)}${BLOCK}${' '.repeat(span - at)}]`;
}

const rowsRead = (run: RunInfo): number => run.progress?.rowsRead ?? run.counters.inputRecords;
const rowsWritten = (run: RunInfo): number => run.progress?.rowsWritten ?? run.counters.outputRecords;

/** Rows read per second over the run's time so far; undefined before it started. */
export function rate(run: RunInfo, now: number): number | undefined {
  const elapsed = runDuration(run, now);
  if (elapsed === undefined) return undefined;
  return elapsed <= 0 ? 0 : rowsRead(run) / (elapsed / 1000);
}

export function progressLine(run: RunInfo, now: number, frame: number): string {
  if (run.state === 'scheduled') {
    return `scheduled: waiting for a runner (${formatDuration(now - run.createdAt)})`;
  }
  if (run.state === 'queued') {
    return `queued: waiting for the flow's earlier runs to end (${formatDuration(now - run.createdAt)})`;
  }
  const perSecond = rate(run, now);
  return [
    run.state,
    bounceBar(frame),
    `read ${count(rowsRead(run))}`,
    `written ${count(rowsWritten(run))}`,
    `${count(Math.round(perSecond ?? 0))} rows/s`,
    `elapsed ${formatDuration(runDuration(run, now) ?? 0)}`,
  ].join('  ');
}

export function summaryLine(run: RunInfo, now: number): string {
  const c = run.counters;
  const duration = runDuration(run, now);
  const perSecond = rate(run, now);
  return (
    `run ${run.id} ${run.state}: read ${count(c.inputRecords)}, written ${count(c.outputRecords)}, ` +
    `failed ${count(c.failedRecords)}, duplicates ${count(c.duplicateRecords)}` +
    (duration === undefined ? '' : ` in ${formatDuration(duration)}`) +
    (perSecond === undefined ? '' : ` (${count(Math.round(perSecond))} rows/s)`) +
    `; window ${windowText(run.window)}`
  );
}

/** Aborted on the first SIGINT while the watch lasts; `release` restores the default (exit) behaviour. */
function interruptSignal(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onInterrupt = (): void => {
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  return {
    signal: controller.signal,
    release: () => {
      process.removeListener('SIGINT', onInterrupt);
    },
  };
}

/** Watches a run until it ends: 0 on success, 1 when failed or cancelled, 130 when interrupted. */
export async function watchRun(ctx: CliContext, runId: string, options: WatchOptions = {}): Promise<number> {
  const remote = ctx.sluice === undefined;
  const pollMs = options.pollMs ?? positiveIntFlag(ctx, 'interval-ms', remote ? 1000 : 500);
  const json = jsonOutput(ctx);
  const reportEveryMs = options.reportEveryMs ?? 5000;
  const now = options.now ?? Date.now;
  const tty = ctx.terminal?.isTTY === true && !json ? ctx.terminal : undefined;
  const say = (line: string): void => {
    if (!json) ctx.out(line);
  };
  let failedPolls = 0;
  /** The run now; a poll the server did not answer is retried (up to 5 in a row), any other error ends. */
  const poll = async (previous: RunInfo): Promise<RunInfo> => {
    try {
      const next = await ctx.backend.getRun(runId);
      failedPolls = 0;
      return next;
    } catch (error) {
      if (!isAppError(error) || error.code !== 'CLI-1001-503' || failedPolls >= 4) throw error;
      failedPolls += 1;
      return previous;
    }
  };
  const interrupt = ctx.signal === undefined ? interruptSignal() : undefined;
  const signal = ctx.signal ?? interrupt?.signal;
  let drawn = 0;
  const clear = (): void => {
    if (tty && drawn > 0) tty.write(`\r${' '.repeat(drawn)}\r`);
    drawn = 0;
  };
  try {
    let run = await ctx.backend.getRun(runId);
    say(`Watching run ${run.id} of flow ${run.flowId}, window ${windowText(run.window)}`);
    let frame = 0;
    let lastPrinted = Number.NEGATIVE_INFINITY;
    let lastState: Run['state'] | undefined;
    while (!isTerminal(run.state) && signal?.aborted !== true) {
      const at = now();
      const line = progressLine(run, at, frame);
      frame += 1;
      if (tty) {
        tty.write(`\r${line.padEnd(drawn)}`);
        drawn = Math.max(drawn, line.length);
      } else if (run.state !== lastState || at - lastPrinted >= reportEveryMs) {
        say(line);
        lastPrinted = at;
      }
      lastState = run.state;
      try {
        await delay(pollMs, undefined, signal === undefined ? {} : { signal });
      } catch {
        break; // aborted: stop watching, the run goes on
      }
      run = await poll(run);
    }
    clear();
    if (json) ctx.out(JSON.stringify(run, null, 2));
    if (!isTerminal(run.state)) {
      say(`Stopped watching run ${run.id}; it is still ${run.state} (the run was not cancelled).`);
      return WATCH_INTERRUPTED;
    }
    say(summaryLine(run, now()));
    for (const error of run.errors) say(`  ${error.code}: ${error.message}`);
    return run.state === 'success' ? 0 : 1;
  } finally {
    clear();
    interrupt?.release();
  }
}
