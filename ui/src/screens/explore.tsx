/**
 * Select data: the account's tables (searchable, paged: a source with 1,000 tables stays responsive), a
 * table's schema with source, Sluice and XDM types, a preview of up to 100 rows, and a filter builder
 * whose PQL selects the previewed rows. "Create a dataflow" carries the table and filter to the wizard.
 */
import { useState } from 'react';
import { api, requestMark, requestsSince, unwrap } from '../api.ts';
import type { RecordedRequest } from '../curl.ts';
import { DataGrid, objectColumns } from '../components/data-grid.tsx';
import { encodeFilter, FilterBuilder, type PqlFilter } from '../components/filter-builder.tsx';
import { ProblemView } from '../components/problem-view.tsx';
import { ShowRequest } from '../components/show-request.tsx';
import { useAsync } from '../components/use-async.ts';
import { useReadOnly } from '../components/write-button.tsx';
import {
  fieldTypeOf,
  xdmTypeOf,
  type Connection,
  type ExploreColumn,
  type ExploredTable,
  type ExploreTable,
} from '../model.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type { ScreenProps } from '../routes.tsx';

export default function Explore({ params }: ScreenProps) {
  const id = params['id'] ?? '';
  const { query, path } = useLocation();
  const table = query.get('table');
  const readOnly = useReadOnly();
  const [search, setSearch] = useState('');
  const [count, setCount] = useState('10');
  const [filter, setFilter] = useState<PqlFilter | undefined>(undefined);
  const [requests, setRequests] = useState<RecordedRequest[]>([]);

  const root = useAsync(async () => {
    const connection = unwrap(
      await api.GET('/data/foundation/flowservice/connections/{id}', { params: { path: { id } } }),
    ).items[0] as unknown as Connection;
    const tables = unwrap(
      await api.GET('/data/foundation/flowservice/connections/{id}/explore', {
        params: { path: { id }, query: { objectType: 'root' } },
      }),
    ) as ExploreTable[];
    return { connection, tables };
  }, [id]);

  const detail = useAsync(async () => {
    if (table === null) return undefined;
    const mark = requestMark();
    try {
      return unwrap(
        await api.GET('/data/foundation/flowservice/connections/{id}/explore', {
          params: {
            path: { id },
            query: {
              objectType: 'table',
              object: table,
              preview: 'true',
              count,
              ...(filter === undefined ? {} : { filters: encodeFilter(filter) }),
            },
          },
        }),
      ) as ExploredTable;
    } finally {
      setRequests(requestsSince(mark));
    }
  }, [id, table, count, filter]);

  if (root.error !== undefined) return <ProblemView error={root.error} />;
  const tables = (root.data?.tables ?? []).filter((t) => t.name.toLowerCase().includes(search.toLowerCase()));
  const columns = detail.data?.schema.columns ?? [];
  const choose = (name: string): void => {
    setFilter(undefined);
    navigate(`${path}?table=${encodeURIComponent(name)}`);
  };
  const wizard = `/dataflows/new?account=${id}&table=${encodeURIComponent(table ?? '')}${filter === undefined ? '' : `&filters=${encodeURIComponent(encodeFilter(filter))}`}`;

  return (
    <section>
      <h1>Select data{root.data === undefined ? '' : ` from ${root.data.connection.name}`}</h1>
      <div className="split">
        <div className="pane">
          <label>
            Search tables{' '}
            <input
              type="search"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
              }}
            />
          </label>
          {root.loading ? <p role="status">Loading tables…</p> : null}
          <DataGrid<ExploreTable>
            caption={`Tables (${tables.length})`}
            rows={tables}
            pageSize={25}
            empty="No table matches."
            columns={[
              {
                header: 'Table',
                cell: (t) => (
                  <button
                    type="button"
                    className="link"
                    aria-pressed={t.path === table}
                    onClick={() => {
                      choose(t.path);
                    }}
                  >
                    {t.name}
                  </button>
                ),
              },
            ]}
          />
        </div>
        <div className="pane wide">
          {table === null ? (
            <p>Choose a table to see its schema and rows.</p>
          ) : (
            <>
              <h2>{table}</h2>
              <ProblemView error={detail.error} />
              {detail.loading ? <p role="status">Loading {table}…</p> : null}
              <DataGrid<ExploreColumn>
                caption="Schema"
                rows={columns}
                columns={[
                  { header: 'Column', cell: (c) => c.name },
                  { header: 'Source type', cell: (c) => c.meta?.originalType ?? '—' },
                  { header: 'Sluice type', cell: (c) => fieldTypeOf(c) },
                  { header: 'XDM type', cell: (c) => xdmTypeOf(c) },
                ]}
              />
              {columns.length > 0 ? <FilterBuilder columns={columns} onApply={setFilter} /> : null}
              <label>
                Preview rows{' '}
                <select
                  value={count}
                  onChange={(e) => {
                    setCount(e.target.value);
                  }}
                >
                  {['10', '50', '100'].map((n) => (
                    <option key={n}>{n}</option>
                  ))}
                </select>
              </label>
              <DataGrid<Record<string, unknown>>
                caption={filter === undefined ? 'Preview' : 'Preview (filtered)'}
                rows={detail.data?.data ?? []}
                columns={objectColumns(
                  detail.data?.data ?? [],
                  columns.map((c) => c.name),
                )}
                pageSize={100}
              />
              <ShowRequest requests={requests} />
              <div className="actions">
                {readOnly ? (
                  <button type="button" disabled aria-describedby="read-only-notice">
                    Create a dataflow from this table
                  </button>
                ) : (
                  <Link className="button" to={wizard}>
                    Create a dataflow from this table
                  </Link>
                )}
              </div>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
