/** Dataflows: name, source, dataset, state, schedule, last run (state, time, records); enable, disable, run now, delete. */
import { useState } from 'react';
import { api, requestMark, requestsSince, unwrap } from '../api.ts';
import type { RecordedRequest } from '../curl.ts';
import { DataGrid } from '../components/data-grid.tsx';
import { local } from '../components/format.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { ShowRequest } from '../components/show-request.tsx';
import { useAsync } from '../components/use-async.ts';
import { WriteButton } from '../components/write-button.tsx';
import { allConnections, allFlows, flowConnectionId, listAll } from '../lists.ts';
import type { Dataset, Flow, Run } from '../model.ts';
import { Link, navigate } from '../router.tsx';
import { latestRuns, runOnceNow } from '../runs.ts';

interface Row {
  flow: Flow;
  source: string;
  dataset: string;
  lastRun: Run | undefined;
}

export const scheduleText = (flow: Flow): string => {
  const s = flow.scheduleParams;
  if (s?.frequency === undefined) return '—';
  return s.frequency === 'once' ? 'once (run now)' : `every ${String(s.interval ?? 1)} ${s.frequency}`;
};

export default function Dataflows() {
  const [requests, setRequests] = useState<RecordedRequest[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const data = useAsync(async (): Promise<Row[]> => {
    const [flows, connections, targets, datasets] = await Promise.all([
      allFlows(),
      allConnections(),
      listAll<{ id: string; params: { dataSetId?: string } }>(
        '/data/foundation/flowservice/targetConnections',
      ),
      api
        .GET('/data/foundation/catalog/dataSets', { params: { query: { limit: '100' } } })
        .then((r) => unwrap(r) as Record<string, Dataset>),
    ]);
    return Promise.all(
      flows.map(async (flow) => {
        const target = targets.find((t) => t.id === flow.targetConnectionIds[0]);
        const dataSetId = target?.params.dataSetId ?? '';
        return {
          flow,
          source: connections.find((c) => c.id === flowConnectionId(flow))?.name ?? '—',
          dataset: datasets[dataSetId]?.name ?? dataSetId,
          lastRun: (await latestRuns(flow.id, 1))[0],
        };
      }),
    );
  }, []);

  const act = async (action: () => Promise<unknown>): Promise<void> => {
    const mark = requestMark();
    setError(undefined);
    try {
      await action();
      data.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setRequests(requestsSince(mark));
    }
  };
  const flowAction = (flow: Flow, op: 'enable' | 'disable') =>
    act(async () =>
      unwrap(
        await api.POST('/data/foundation/flowservice/flows/{id}/action', {
          params: { path: { id: flow.id }, query: { op } },
        }),
      ),
    );

  return (
    <section>
      <h1>Dataflows</h1>
      <ProblemView error={data.error ?? error} />
      {data.loading && data.data === undefined ? <p role="status">Loading dataflows…</p> : null}
      <DataGrid<Row>
        caption="Dataflows"
        rows={data.data ?? []}
        pageSize={25}
        empty="No dataflows yet: select data from an account and create one."
        columns={[
          { header: 'Name', cell: (r) => <Link to={`/dataflows/${r.flow.id}`}>{r.flow.name}</Link> },
          { header: 'Source', cell: (r) => r.source },
          { header: 'Dataset', cell: (r) => r.dataset },
          { header: 'State', cell: (r) => r.flow.state },
          { header: 'Schedule', cell: (r) => scheduleText(r.flow) },
          {
            header: 'Last run',
            cell: (r) =>
              r.lastRun === undefined ? 'never' : `${r.lastRun.state}, ${local(r.lastRun.createdAt)}`,
          },
          {
            header: 'Records',
            cell: (r) => String(r.lastRun?.metrics.recordSummary.outputRecordCount ?? '—'),
          },
          {
            header: 'Actions',
            cell: (r) => (
              <span className="row-actions">
                {r.flow.state === 'enabled' ? (
                  <WriteButton
                    onClick={() => {
                      void flowAction(r.flow, 'disable');
                    }}
                  >
                    Disable {r.flow.name}
                  </WriteButton>
                ) : (
                  <WriteButton
                    onClick={() => {
                      void flowAction(r.flow, 'enable');
                    }}
                  >
                    Enable {r.flow.name}
                  </WriteButton>
                )}
                {r.flow.scheduleParams?.frequency === 'once' ? (
                  <WriteButton
                    disabled={r.flow.state !== 'enabled'}
                    onClick={() => {
                      void act(async () => {
                        await runOnceNow(r.flow);
                        navigate(`/dataflows/${r.flow.id}`);
                      });
                    }}
                  >
                    Run {r.flow.name} now
                  </WriteButton>
                ) : null}
                <WriteButton
                  className="danger"
                  onClick={() => {
                    void act(async () => {
                      unwrap(
                        await api.DELETE('/data/foundation/flowservice/flows/{id}', {
                          params: { path: { id: r.flow.id } },
                        }),
                      );
                    });
                  }}
                >
                  Delete {r.flow.name}
                </WriteButton>
              </span>
            ),
          },
        ]}
      />
      <ShowRequest requests={requests} />
    </section>
  );
}
