/** Accounts: every base connection with its source, state, creation time and the dataflows using it. */
import { DataGrid } from '../components/data-grid.tsx';
import { local } from '../components/format.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { useAsync } from '../components/use-async.ts';
import { allConnections, allFlows, flowConnectionId, sourceSpecs, specLabel } from '../lists.ts';
import type { Connection } from '../model.ts';
import { Link, useLocation } from '../router.tsx';

export default function Accounts() {
  const { query } = useLocation();
  const spec = query.get('spec');
  const data = useAsync(async () => {
    const [connections, flows, specs] = await Promise.all([allConnections(), allFlows(), sourceSpecs()]);
    return { connections, flows, specs };
  }, []);
  if (data.error !== undefined) return <ProblemView error={data.error} />;
  const connections = (data.data?.connections ?? []).filter(
    (c) => spec === null || c.connectionSpec.id === spec,
  );
  const specName = (c: Connection) => specLabel(data.data?.specs.find((s) => s.id === c.connectionSpec.id));
  return (
    <section>
      <h1>Accounts</h1>
      {spec === null ? null : (
        <p>
          Showing the accounts of one source. <Link to="/accounts">Show all accounts</Link>
        </p>
      )}
      {data.loading && data.data === undefined ? <p role="status">Loading accounts…</p> : null}
      <DataGrid<Connection>
        caption="Accounts"
        rows={connections}
        empty={data.loading ? 'Loading…' : 'No accounts yet: set one up from the catalog.'}
        columns={[
          { header: 'Name', cell: (c) => <Link to={`/accounts/${c.id}`}>{c.name}</Link> },
          { header: 'Source', cell: specName },
          { header: 'State', cell: (c) => c.state },
          { header: 'Created', cell: (c) => local(c.createdAt) },
          {
            header: 'Dataflows',
            cell: (c) => String(data.data?.flows.filter((f) => flowConnectionId(f) === c.id).length ?? 0),
          },
          {
            header: 'Data',
            cell: (c) => <Link to={`/accounts/${c.id}/explore`}>Select data from {c.name}</Link>,
          },
        ]}
      />
    </section>
  );
}
