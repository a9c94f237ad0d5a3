/** The API's run view read back by the remote CLI gives the run the in-process CLI renders. */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../domain/run.ts';
import { representRun } from '../../services/run-view.ts';
import { runFromView } from './views.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

const base: Run = {
  id: '11111111-1111-4111-8111-111111111111',
  createdAt: T0,
  updatedAt: T0 + 9000,
  createdBy: 'u',
  updatedBy: 'u',
  createdClient: 'c',
  updatedClient: 'c',
  sandboxId: 's',
  sandboxName: 'prod',
  imsOrgId: 'o@AdobeOrg',
  etag: '"e1"',
  flowId: 'f1',
  flowSpec: { id: 'spec', version: '1.0' },
  state: 'success',
  kind: 'scheduled',
  window: { start: T0 - 3_600_000, end: T0 },
  deltaColumn: 'updated',
  scheduledAt: T0,
  attempt: 2,
  startedAt: T0 + 1000,
  copyCompletedAt: T0 + 5000,
  completedAt: T0 + 8000,
  counters: {
    inputRecords: 30,
    outputRecords: 28,
    failedRecords: 2,
    duplicateRecords: 1,
    inputBytes: 900,
    outputBytes: 800,
    outputFiles: 1,
  },
  errors: [{ code: 'CONNECTOR-2001-500', message: '2 row(s) could not be converted' }],
  batchId: 'B'.repeat(26),
  dataSetId: 'a'.repeat(24),
  sourceConnectionId: 'sc',
  targetConnectionId: 'tc',
  rowErrorSamples: [{ row: 'p/0029', column: 'code', reason: 'not an integer' }],
  rowErrorsFile: 'x/row-errors.jsonl',
  progress: { rowsRead: 30, rowsWritten: 28, updatedAt: T0 + 4000 },
};

describe('runFromView', () => {
  it('rebuilds every field of a run that has started', () => {
    expect(runFromView(JSON.parse(JSON.stringify(representRun(base))))).toEqual(base);
  });

  it('reads a from-the-beginning window back as a null start', () => {
    const run: Run = { ...base, window: { start: null, end: T0 } };
    expect(runFromView(representRun(run)).window).toEqual({ start: null, end: T0 });
  });

  it("leaves a scheduled run's window unknown, except an on-demand run's, from its params", () => {
    const {
      startedAt: _s,
      copyCompletedAt: _c,
      completedAt: _d,
      rowErrorSamples: _r,
      rowErrorsFile: _f,
      progress: _p,
      ...scheduled
    } = { ...base, state: 'scheduled' as const, errors: [] };
    expect(runFromView(representRun(scheduled)).window).toBeUndefined();
    const onDemand: Run = {
      ...scheduled,
      kind: 'onDemand',
      params: { windowStartTime: String((T0 - 60_000) / 1000), windowEndTime: T0 },
    };
    expect(runFromView(representRun(onDemand)).window).toEqual({ start: T0 - 60_000, end: T0 });
  });
});
