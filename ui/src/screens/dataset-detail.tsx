/** One dataset: its schema, its batches (state, rows, files, size) and a preview of its rows. */
import { api, unwrap } from '../api.ts';
import { DataGrid, objectColumns } from '../components/data-grid.tsx';
import { bytes, local } from '../components/format.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { useAsync } from '../components/use-async.ts';
import type { Batch, Dataset, DatasetField } from '../model.ts';
import { Link } from '../router.tsx';
import type { ScreenProps } from '../routes.tsx';

export default function DatasetDetail({ params }: ScreenProps) {
  const id = params['id'] ?? '';
  const data = useAsync(async () => {
    const dataset = (
      unwrap(await api.GET('/data/foundation/catalog/dataSets/{id}', { params: { path: { id } } })) as Record<
        string,
        Dataset
      >
    )[id];
    const batches = unwrap(
      await api.GET('/data/foundation/catalog/dataSets/{id}/batches', {
        params: { path: { id }, query: { limit: '100' } },
      }),
    ) as Record<string, Batch>;
    const preview = unwrap(
      await api.GET('/data/foundation/catalog/dataSets/{id}/preview', {
        params: { path: { id }, query: { limit: '100' } },
      }),
    ) as { data: Record<string, unknown>[] };
    return {
      dataset,
      batches: Object.entries(batches).map(([batchId, batch]) => ({ id: batchId, ...batch })),
      rows: preview.data,
    };
  }, [id]);
  if (data.error !== undefined) return <ProblemView error={data.error} />;
  if (data.data === undefined) return <p role="status">Loading…</p>;
  const { dataset, batches, rows } = data.data;
  const fields: DatasetField[] = dataset?.schema?.fields ?? [];
  return (
    <section>
      <h1>Dataset {dataset?.name}</h1>
      <p>
        <Link to={`/query?dataset=${encodeURIComponent(dataset?.name ?? id)}`}>
          Query {dataset?.name} in the SQL console
        </Link>
      </p>
      <DataGrid<DatasetField>
        caption="Schema"
        rows={fields}
        columns={[
          { header: 'Field', cell: (f) => f.name },
          {
            header: 'Type',
            cell: (f) => (f.precision === undefined ? f.type : `${f.type}(${f.precision}, ${f.scale ?? 0})`),
          },
        ]}
      />
      <DataGrid<Batch & { id: string }>
        caption="Batches"
        rows={batches}
        empty="No batches yet."
        columns={[
          { header: 'Batch', cell: (b) => b.id },
          { header: 'State', cell: (b) => b.status },
          { header: 'Rows', cell: (b) => String(b.metrics?.recordsWritten ?? 0) },
          { header: 'Files', cell: (b) => String(b.metrics?.outputFileCount ?? 0) },
          { header: 'Size', cell: (b) => bytes(b.metrics?.outputByteSize) },
          { header: 'Created', cell: (b) => local(b.created) },
        ]}
      />
      <DataGrid
        caption="Preview"
        rows={rows}
        columns={objectColumns(
          rows,
          fields.map((f) => f.name),
        )}
        empty="No rows landed yet."
      />
    </section>
  );
}
