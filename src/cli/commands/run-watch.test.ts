import { describe, expect, it } from 'vitest';
import { ZERO_COUNTERS, type Run } from '../../domain/run.ts';
import { formatDuration } from './run-format.ts';
import { bounceBar, progressLine, rate, summaryLine } from './run-watch.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

const run = (overrides: Partial<Run>): Run =>
  ({
    id: 'r1',
    flowId: 'f1',
    state: 'inProgress',
    kind: 'scheduled',
    window: { start: T0 - 3_600_000, end: T0 },
    createdAt: T0,
    startedAt: T0 + 1000,
    counters: ZERO_COUNTERS,
    errors: [],
    attempt: 1,
    ...overrides,
  }) as Run;

describe('runs watch rendering', () => {
  it('bounces the bar between both ends at a fixed width', () => {
    const frames = Array.from({ length: 20 }, (_v, frame) => bounceBar(frame));
    expect(new Set(frames.map((frame) => frame.length))).toEqual(new Set([14]));
    expect(frames[0]).toBe('[<=>         ]');
    expect(frames[9]).toBe('[         <=>]');
    expect(frames[10]).toBe('[        <=> ]');
    expect(frames[18]).toBe('[<=>         ]');
  });

  it('shows live progress and the rate over the time since the run started', () => {
    const live = run({
      counters: { ...ZERO_COUNTERS, inputRecords: 1000 },
      progress: { rowsRead: 2500, rowsWritten: 2400, updatedAt: T0 + 5000 },
    });
    expect(rate(live, T0 + 6000)).toBe(500);
    expect(progressLine(live, T0 + 6000, 3)).toBe(
      'inProgress  [   <=>      ]  read 2,500  written 2,400  500 rows/s  elapsed 5.0s',
    );
    const { startedAt: _started, ...waiting } = run({ state: 'scheduled' });
    expect(progressLine(waiting, T0 + 1500, 0)).toBe('scheduled: waiting for a runner (1.5s)');
    expect(rate(waiting, T0)).toBeUndefined();
  });

  it('summarizes an ended run from its final counters', () => {
    const ended = run({
      state: 'success',
      completedAt: T0 + 3000,
      counters: { ...ZERO_COUNTERS, inputRecords: 30, outputRecords: 28, failedRecords: 2 },
    });
    expect(summaryLine(ended, T0 + 99_000)).toBe(
      'run r1 success: read 30, written 28, failed 2, duplicates 0 in 2.0s (15 rows/s); ' +
        'window [2026-03-01T09:00:00.000Z, 2026-03-01T10:00:00.000Z)',
    );
  });

  it('formats durations compactly', () => {
    expect([850, 12_340, 245_000, 7_380_000].map(formatDuration)).toEqual([
      '850ms',
      '12.3s',
      '4m05s',
      '2h03m',
    ]);
  });
});
