/**
 * One run: metrics, activities, errors with their codes, row-error samples and the download of the
 * row-errors file (Data Access API), live progress while active, RE_TRIGGER a failed run, cancel an active one.
 */
import { useState } from 'react';
import { api, errorMessage, poller, requestMark, requestsSince, unwrap } from '../api.ts';
import type { RecordedRequest } from '../curl.ts';
import { DataGrid, objectColumns } from '../components/data-grid.tsx';
import { bytes, download, duration, local, utc } from '../components/format.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { ShowRequest } from '../components/show-request.tsx';
import { useAsync } from '../components/use-async.ts';
import { usePoll } from '../components/use-poll.ts';
import { WriteButton } from '../components/write-button.tsx';
import type { Run } from '../model.ts';
import { Link, navigate } from '../router.tsx';
import type { ScreenProps } from '../routes.tsx';
import { durationOf, isActive, progressOf, promotionActivity, windowOf } from '../runs.ts';
import { session } from '../session.ts';
import { gatewayHeaders } from '@sluice/sdk';

export default function RunDetail({ params }: ScreenProps) {
  const id = params['id'] ?? '';
  const [requests, setRequests] = useState<RecordedRequest[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const loaded = useAsync(
    async () =>
      unwrap(await poller.GET('/data/foundation/flowservice/runs/{id}', { params: { path: { id } } }))
        .items[0] as unknown as Run,
    [id],
  );
  const run = loaded.data;
  usePoll(run !== undefined && isActive(run), 1000, loaded.reload);

  const act = async (op: 'RE_TRIGGER' | 'cancel'): Promise<void> => {
    const mark = requestMark();
    setError(undefined);
    try {
      const answer = unwrap(
        await api.POST('/data/foundation/flowservice/runs/{id}/action', {
          params: { path: { id }, query: { op } },
        }),
      ).items[0] as unknown as Run;
      if (op === 'RE_TRIGGER') navigate(`/runs/${answer.id}`);
      else loaded.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setRequests(requestsSince(mark));
    }
  };

  if (loaded.error !== undefined) return <ProblemView error={loaded.error} />;
  if (run === undefined) return <p role="status">Loading the run…</p>;
  const promotion = promotionActivity(run);
  const samples = promotion?.statusSummary?.extensions?.sampleErrors ?? [];
  const batchId = promotion?.targetInfo?.[0]?.reference?.ids?.[0];
  const hasFile = promotion?.statusSummary?.extensions?.manifest?.failedRecords !== undefined;
  const window = windowOf(run);
  const progress = progressOf(run);
  const records = run.metrics.recordSummary;

  const downloadErrors = async (): Promise<void> => {
    if (batchId === undefined) return;
    setError(undefined);
    const credentials = session.credentials();
    if (credentials === undefined) return;
    const mark = requestMark();
    // A file download: the SDK's typed client would parse JSON; this streams the JSON lines as text.
    const url = `/data/foundation/export/batches/${batchId}/failed?path=row-errors.jsonl`;
    try {
      const response = await fetch(url, { headers: gatewayHeaders(credentials) });
      if (!response.ok) throw new Error(`The download failed: HTTP ${response.status}.`);
      download(`${batchId}-row-errors.jsonl`, await response.text(), 'application/x-ndjson');
      setRequests([...requestsSince(mark), { seq: 0, method: 'GET', url, status: response.status }]);
    } catch (caught) {
      setError(new Error(errorMessage(caught)));
    }
  };

  return (
    <section>
      <h1>Run {run.id.slice(0, 8)}</h1>
      <p>
        <Link to={`/dataflows/${run.flowId}`}>Back to the dataflow's runs</Link>
      </p>
      <dl className="facts">
        <dt>State</dt>
        <dd>{run.state}</dd>
        <dt>Window</dt>
        <dd>
          {window.start === undefined || window.start < 86_400_000 ? 'beginning' : utc(window.start)} →{' '}
          {utc(window.end)}
        </dd>
        <dt>Records read</dt>
        <dd>{records.inputRecordCount}</dd>
        <dt>Records landed</dt>
        <dd>{records.outputRecordCount}</dd>
        <dt>Records failed</dt>
        <dd>{records.failedRecordCount}</dd>
        <dt>Bytes written</dt>
        <dd>{bytes(run.metrics.sizeSummary?.outputBytes)}</dd>
        <dt>Duration</dt>
        <dd>{duration(durationOf(run))}</dd>
        <dt>Created</dt>
        <dd>{local(run.createdAt)}</dd>
        {run.retriggerOf === undefined ? null : (
          <>
            <dt>Re-trigger of</dt>
            <dd>
              <Link to={`/runs/${run.retriggerOf}`}>Run {run.retriggerOf.slice(0, 8)}</Link>
            </dd>
          </>
        )}
        {run.replacesBatchId === undefined ? null : (
          <>
            <dt>Repairs batch</dt>
            <dd>
              <code>{run.replacesBatchId}</code> (damaged; re-landed from the source)
            </dd>
          </>
        )}
      </dl>
      {isActive(run) ? (
        <p role="status" aria-live="polite">
          Running: {progress?.rowsRead ?? 0} rows read, {progress?.rowsWritten ?? 0} written so far.
        </p>
      ) : null}
      <div className="actions">
        {run.state === 'failed' || run.state === 'cancelled' ? (
          <WriteButton
            onClick={() => {
              void act('RE_TRIGGER');
            }}
          >
            Re-trigger this run
          </WriteButton>
        ) : null}
        {isActive(run) ? (
          <WriteButton
            onClick={() => {
              void act('cancel');
            }}
          >
            Cancel this run
          </WriteButton>
        ) : null}
        {hasFile && batchId !== undefined ? (
          <button
            type="button"
            onClick={() => {
              void downloadErrors();
            }}
          >
            Download the row-errors file
          </button>
        ) : null}
      </div>
      <ProblemView error={error} />
      <ShowRequest requests={requests} />
      <h2>Errors</h2>
      <DataGrid
        caption="Run errors"
        rows={run.metrics.statusSummary.errors}
        empty="No errors."
        columns={[
          { header: 'Code', cell: (e) => e.code },
          { header: 'Message', cell: (e) => e.message },
        ]}
      />
      <h2>Row errors</h2>
      <DataGrid
        caption="Row-error samples"
        rows={samples}
        columns={objectColumns(samples)}
        empty="No row errors."
      />
      <h2>Activities</h2>
      <DataGrid
        caption="Activities"
        rows={run.activities}
        empty="Not started yet."
        columns={[
          { header: 'Activity', cell: (a) => a.id },
          { header: 'Status', cell: (a) => a.statusSummary?.status ?? '—' },
          { header: 'Started', cell: (a) => utc(a.durationSummary?.startedAtUTC) },
          { header: 'Completed', cell: (a) => utc(a.durationSummary?.completedAtUTC) },
          {
            header: 'Records',
            cell: (a) =>
              Object.entries(a.recordSummary ?? {})
                .map(([k, v]) => `${k} ${v}`)
                .join(', '),
          },
        ]}
      />
    </section>
  );
}
