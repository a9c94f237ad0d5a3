/** Datasets: every dataset of the sandbox with its field count and creation time. */
import { api, unwrap } from '../api.ts';
import { DataGrid } from '../components/data-grid.tsx';
import { local } from '../components/format.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { useAsync } from '../components/use-async.ts';
import type { Dataset } from '../model.ts';
import { Link } from '../router.tsx';

export default function Datasets() {
  const data = useAsync(async () => {
    const keyed = unwrap(
      await api.GET('/data/foundation/catalog/dataSets', {
        params: { query: { limit: '100', orderBy: 'desc:created' } },
      }),
    ) as Record<string, Dataset>;
    return Object.entries(keyed).map(([id, dataset]) => ({ id, ...dataset }));
  }, []);
  return (
    <section>
      <h1>Datasets</h1>
      <ProblemView error={data.error} />
      <DataGrid<Dataset & { id: string }>
        caption="Datasets"
        rows={data.data ?? []}
        empty={data.loading ? 'Loading…' : 'No datasets yet.'}
        columns={[
          { header: 'Name', cell: (d) => <Link to={`/datasets/${d.id}`}>{d.name}</Link> },
          { header: 'Fields', cell: (d) => String(d.schema?.fields.length ?? 0) },
          { header: 'State', cell: (d) => d.state ?? '—' },
          { header: 'Created', cell: (d) => local(d.created) },
          {
            header: 'Query',
            cell: (d) => <Link to={`/query?dataset=${encodeURIComponent(d.name)}`}>Query {d.name}</Link>,
          },
        ]}
      />
    </section>
  );
}
