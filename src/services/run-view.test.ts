import { describe, expect, it } from 'vitest';
import { ZERO_COUNTERS, type Run } from '../domain/run.ts';
import { representRun } from './run-view.ts';

const run = (window: Run['window']): Run => ({
  id: '5f0c2d9e-0000-4000-8000-000000000001',
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  createdBy: 'u@AdobeID',
  updatedBy: 'u@AdobeID',
  createdClient: 'sluice',
  updatedClient: 'sluice',
  imsOrgId: 'O@AdobeOrg',
  sandboxId: 's',
  sandboxName: 'prod',
  etag: '"e"',
  flowId: 'f',
  flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' },
  state: 'success',
  kind: 'scheduled',
  window,
  deltaColumn: 'updated',
  scheduledAt: 1_700_000_000_000,
  attempt: 1,
  startedAt: 1_700_000_000_000,
  copyCompletedAt: 1_700_000_001_000,
  completedAt: 1_700_000_002_000,
  counters: ZERO_COUNTERS,
  errors: [],
  sourceConnectionId: 'sc',
  targetConnectionId: 'tc',
});

const copyExtensions = (view: Record<string, unknown>) =>
  (view['activities'] as { durationSummary: { extensions: unknown } }[])[0]?.durationSummary.extensions;

describe('runs in Adobe shape', () => {
  it("gives a backfill run's copy activity windowStart (0, the beginning of history) and windowEnd", () => {
    expect(copyExtensions(representRun(run({ start: null, end: 1_699_999_000_000 })))).toEqual({
      windowStart: 0,
      windowEnd: 1_699_999_000_000,
    });
  });

  it("gives an incremental run's copy activity its window", () => {
    expect(copyExtensions(representRun(run({ start: 1_699_998_000_000, end: 1_699_999_000_000 })))).toEqual({
      windowStart: 1_699_998_000_000,
      windowEnd: 1_699_999_000_000,
    });
  });
});
