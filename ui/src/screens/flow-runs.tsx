/**
 * Monitoring of one dataflow: its run history (window, state, records read/landed/failed, duration),
 * charts of records and duration per run, live while a run is active, paged by the API's continuation
 * links (a flow with 1,000 runs loads 50 at a time).
 */
import { useState } from 'react';
import { api, nextQuery, poller, requestMark, requestsSince, unwrap } from '../api.ts';
import type { RecordedRequest } from '../curl.ts';
import { DataGrid } from '../components/data-grid.tsx';
import { duration, local, utc } from '../components/format.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { RunCharts } from '../components/run-chart.tsx';
import { ShowRequest } from '../components/show-request.tsx';
import { useAsync } from '../components/use-async.ts';
import { usePoll } from '../components/use-poll.ts';
import { WriteButton } from '../components/write-button.tsx';
import type { Flow, Run } from '../model.ts';
import { Link } from '../router.tsx';
import type { ScreenProps } from '../routes.tsx';
import { durationOf, isActive, runOnceNow, windowOf } from '../runs.ts';
import { scheduleText } from './dataflows.tsx';

const PAGE = 50;

export default function FlowRuns({ params }: ScreenProps) {
  const id = params['id'] ?? '';
  const [pages, setPages] = useState<(Record<string, string> | undefined)[]>([undefined]);
  const [requests, setRequests] = useState<RecordedRequest[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const cursor = pages.at(-1);
  const flow = useAsync(
    async () =>
      unwrap(await api.GET('/data/foundation/flowservice/flows/{id}', { params: { path: { id } } }))
        .items[0] as unknown as Flow,
    [id],
  );
  const runs = useAsync(async () => {
    const page = unwrap(
      await poller.GET('/data/foundation/flowservice/runs', {
        params: { query: cursor ?? { property: `flowId==${id}`, limit: String(PAGE) } },
      }),
    ) as unknown as { items?: Run[]; _links?: { next?: { href: string } } };
    return { items: page.items ?? [], next: nextQuery(page._links?.next?.href) };
  }, [id, cursor]);
  const items = runs.data?.items ?? [];
  usePoll(items.some(isActive), 1000, runs.reload);

  const runNow = async (): Promise<void> => {
    if (flow.data === undefined) return;
    const mark = requestMark();
    setError(undefined);
    try {
      await runOnceNow(flow.data);
      setPages([undefined]);
      runs.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setRequests(requestsSince(mark));
    }
  };

  return (
    <section>
      <h1>Runs of {flow.data?.name ?? 'the dataflow'}</h1>
      <ProblemView error={flow.error ?? runs.error ?? error} />
      {flow.data === undefined ? null : (
        <p>
          State {flow.data.state}, schedule {scheduleText(flow.data)}.{' '}
          {flow.data.scheduleParams?.frequency === 'once' ? (
            <WriteButton
              disabled={flow.data.state !== 'enabled' || items.some(isActive)}
              onClick={() => {
                void runNow();
              }}
            >
              Run now
            </WriteButton>
          ) : null}
        </p>
      )}
      <ShowRequest requests={requests} />
      <RunCharts runs={items} />
      <DataGrid<Run>
        caption={`Run history (newest first, ${PAGE} per page)`}
        rows={items}
        pageSize={PAGE}
        empty="No runs yet."
        columns={[
          { header: 'Run', cell: (r) => <Link to={`/runs/${r.id}`}>Run {r.id.slice(0, 8)}</Link> },
          {
            header: 'Window',
            cell: (r) => {
              const w = windowOf(r);
              return `${w.start === undefined || w.start < 86_400_000 ? 'beginning' : utc(w.start)} → ${utc(w.end)}`;
            },
          },
          { header: 'State', cell: (r) => r.state },
          { header: 'Read', cell: (r) => String(r.metrics.recordSummary.inputRecordCount) },
          { header: 'Landed', cell: (r) => String(r.metrics.recordSummary.outputRecordCount) },
          { header: 'Failed', cell: (r) => String(r.metrics.recordSummary.failedRecordCount) },
          { header: 'Duration', cell: (r) => duration(durationOf(r)) },
          { header: 'Created', cell: (r) => local(r.createdAt) },
        ]}
      />
      <nav className="pager" aria-label="Run pages">
        <button
          type="button"
          disabled={pages.length === 1}
          onClick={() => {
            setPages(pages.slice(0, -1));
          }}
        >
          Newer runs
        </button>
        <button
          type="button"
          disabled={runs.data?.next === undefined}
          onClick={() => {
            setPages([...pages, runs.data?.next]);
          }}
        >
          Older runs
        </button>
      </nav>
    </section>
  );
}
