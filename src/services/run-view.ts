/** A run in Adobe's shape (flow-service-api.md §3.8): metrics, and the copy and promotion activities. */
import type { Run } from '../domain/run.ts';

export function representRun(run: Run): Record<string, unknown> {
  const c = run.counters;
  const started = run.startedAt;
  const status = { status: run.state, errors: run.errors };
  // A backfill window starts at the beginning of history: windowStart 0 (the epoch), so the pair is
  // always there, as in Adobe's runs (reference §3.8).
  const windowExtensions = { windowStart: run.window.start ?? 0, windowEnd: run.window.end };
  const copyActivity = {
    id: 'copyActivity',
    updatedAtUTC: run.copyCompletedAt ?? run.updatedAt,
    durationSummary: {
      ...(started === undefined ? {} : { startedAtUTC: started }),
      ...(run.copyCompletedAt === undefined ? {} : { completedAtUTC: run.copyCompletedAt }),
      extensions: windowExtensions,
    },
    sizeSummary: { inputBytes: c.inputBytes, outputBytes: c.inputBytes },
    recordSummary: { inputRecordCount: c.inputRecords, skippedRecordCount: c.duplicateRecords },
    fileSummary: { inputFileCount: -1, outputFileCount: -1 },
    statusSummary: {
      status: run.copyCompletedAt !== undefined ? 'success' : run.state === 'failed' ? 'failed' : run.state,
      extensions: {
        type: run.window.start === null ? 'one-time' : 'incremental',
        ...(run.deltaColumn === undefined ? {} : { deltaColumn: run.deltaColumn }),
      },
    },
    sourceInfo: [{ id: run.sourceConnectionId, type: 'SourceConnection' }],
  };
  const promotionActivity = {
    id: 'promotionActivity',
    updatedAtUTC: run.completedAt ?? run.updatedAt,
    durationSummary: {
      ...(run.copyCompletedAt === undefined ? {} : { startedAtUTC: run.copyCompletedAt }),
      ...(run.completedAt === undefined ? {} : { completedAtUTC: run.completedAt }),
    },
    sizeSummary: { inputBytes: c.inputBytes, outputBytes: c.outputBytes },
    recordSummary: {
      inputRecordCount: c.inputRecords - c.duplicateRecords,
      outputRecordCount: c.outputRecords,
      failedRecordCount: c.failedRecords,
    },
    fileSummary: { outputFileCount: c.outputFiles },
    statusSummary: {
      status: run.state === 'success' ? 'success' : run.state,
      errors: run.errors,
      ...(run.rowErrorsFile === undefined && run.rowErrorSamples === undefined
        ? {}
        : {
            extensions: {
              manifest: { ...(run.rowErrorsFile === undefined ? {} : { failedRecords: run.rowErrorsFile }) },
              sampleErrors: run.rowErrorSamples ?? [],
            },
          }),
    },
    targetInfo: [
      {
        id: run.targetConnectionId,
        type: 'TargetConnection',
        ...(run.batchId === undefined
          ? {}
          : { reference: { type: 'Batch', ids: [run.batchId], dataSetId: run.dataSetId } }),
      },
    ],
  };
  const {
    counters: _c,
    window: _w,
    errors: _e,
    rowErrorSamples: _s,
    rowErrorsFile: _f,
    copyCompletedAt: _cc,
    completedAt: _ca,
    startedAt: _sa,
    ...rest
  } = run;
  return {
    ...rest,
    version: run.etag,
    providerRefId: `M-${run.flowId}-${run.kind}-${run.attempt}:${run.id}`,
    metrics: {
      durationSummary: {
        ...(started === undefined ? {} : { startedAtUTC: started }),
        ...(run.completedAt === undefined ? {} : { completedAtUTC: run.completedAt }),
      },
      sizeSummary: { inputBytes: c.inputBytes, outputBytes: c.outputBytes },
      recordSummary: {
        inputRecordCount: c.inputRecords,
        outputRecordCount: c.outputRecords,
        failedRecordCount: c.failedRecords,
        skippedRecordCount: c.duplicateRecords,
      },
      fileSummary: {
        inputFileCount: -1,
        outputFileCount: c.outputFiles,
        activityRefs: ['promotionActivity'],
      },
      statusSummary: { ...status, activityRefs: ['promotionActivity'] },
    },
    activities: run.state === 'scheduled' || run.state === 'queued' ? [] : [copyActivity, promotionActivity],
  };
}
