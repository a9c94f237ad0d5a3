import { describe, expect, it } from 'vitest';
import type { Schedule } from '../domain/flow-entities.ts';
import { nextDueRun } from './windows.ts';

const MIN = 60_000;
const start = Date.UTC(2026, 0, 1);
const hourly: Schedule = { startTime: start, frequency: 'hour', interval: 1, backfill: true };

describe('nextDueRun', () => {
  it('is not due before the start time', () => {
    expect(
      nextDueRun({ schedule: hourly, committedEnd: undefined, hasRuns: false, now: start - 1, lagMs: MIN }),
    ).toBeUndefined();
  });

  it('backfills all history in the first window', () => {
    expect(
      nextDueRun({
        schedule: hourly,
        committedEnd: undefined,
        hasRuns: false,
        now: start + 5 * MIN,
        lagMs: MIN,
      }),
    ).toEqual({
      scheduledAt: start,
      window: { start: null, end: start - MIN },
    });
  });

  it('without backfill starts at the start time and waits for the first period', () => {
    const schedule = { ...hourly, backfill: false };
    expect(
      nextDueRun({ schedule, committedEnd: undefined, hasRuns: false, now: start + 5 * MIN, lagMs: MIN }),
    ).toBeUndefined();
    expect(
      nextDueRun({ schedule, committedEnd: undefined, hasRuns: false, now: start + 61 * MIN, lagMs: MIN }),
    ).toEqual({
      scheduledAt: start + 60 * MIN,
      window: { start, end: start + 59 * MIN },
    });
  });

  it('starts each window exactly where the committed one ended', () => {
    const committedEnd = start - MIN;
    expect(
      nextDueRun({ schedule: hourly, committedEnd, hasRuns: true, now: start + 30 * MIN, lagMs: MIN }),
    ).toBeUndefined();
    expect(
      nextDueRun({ schedule: hourly, committedEnd, hasRuns: true, now: start + 60 * MIN, lagMs: MIN }),
    ).toEqual({
      scheduledAt: start + 60 * MIN,
      window: { start: committedEnd, end: start + 59 * MIN },
    });
  });

  it('coalesces missed periods into one window', () => {
    const committedEnd = start - MIN;
    expect(
      nextDueRun({
        schedule: hourly,
        committedEnd,
        hasRuns: true,
        now: start + 5 * 60 * MIN + 7,
        lagMs: MIN,
      }),
    ).toEqual({
      scheduledAt: start + 5 * 60 * MIN,
      window: { start: committedEnd, end: start + 5 * 60 * MIN - MIN },
    });
  });

  it('runs a once flow once', () => {
    const once: Schedule = { startTime: start, frequency: 'once', backfill: true };
    expect(
      nextDueRun({ schedule: once, committedEnd: undefined, hasRuns: false, now: start + 1, lagMs: MIN })
        ?.window,
    ).toEqual({ start: null, end: start });
    expect(
      nextDueRun({ schedule: once, committedEnd: undefined, hasRuns: true, now: start + 1, lagMs: MIN }),
    ).toBeUndefined();
  });

  it('never produces overlapping or gapped windows over a long simulated life', () => {
    const schedule: Schedule = { startTime: start, frequency: 'minute', interval: 15, backfill: false };
    let committedEnd: number | undefined;
    const windows: { start: number | null; end: number }[] = [];
    for (let now = start; now < start + 48 * 60 * MIN; now += 7 * MIN + 13) {
      const due = nextDueRun({ schedule, committedEnd, hasRuns: windows.length > 0, now, lagMs: 30_000 });
      if (due) {
        windows.push(due.window);
        committedEnd = due.window.end;
      }
    }
    expect(windows.length).toBeGreaterThan(100);
    expect(windows[0]?.start).toBe(start);
    for (let index = 1; index < windows.length; index += 1) {
      expect(windows[index]?.start).toBe(windows[index - 1]?.end);
      expect(windows[index]!.end).toBeGreaterThan(windows[index]!.start!);
    }
  });
});
