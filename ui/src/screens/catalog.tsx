/** Catalog: every source as a card (category, description, accounts and dataflows using it), searchable. */
import { useState } from 'react';
import { Link } from '../router.tsx';
import { ProblemView } from '../components/problem-view.tsx';
import { useAsync } from '../components/use-async.ts';
import { allConnections, allFlows, flowSpecId, sourceSpecs, specLabel } from '../lists.ts';
import type { ConnectionSpec } from '../model.ts';
import { useReadOnly } from '../components/write-button.tsx';

const description = (spec: ConnectionSpec): string =>
  (typeof spec.attributes?.['description'] === 'string' ? spec.attributes['description'] : undefined) ??
  spec.authSpec[0]?.spec.description ??
  '';

const categoryOf = (spec: ConnectionSpec): string =>
  typeof spec.attributes?.['category'] === 'string' ? spec.attributes['category'] : 'Other';

export default function Catalog() {
  const readOnly = useReadOnly();
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState('');
  const data = useAsync(async () => {
    const [specs, connections, flows] = await Promise.all([sourceSpecs(), allConnections(), allFlows()]);
    return { specs, connections, flows };
  }, []);
  const specs = data.data?.specs ?? [];
  const categories = [...new Set(specs.map((spec) => categoryOf(spec)))].sort();
  const shown = specs.filter(
    (spec) =>
      (category === '' || spec.attributes?.['category'] === category) &&
      `${specLabel(spec)} ${spec.name} ${description(spec)}`.toLowerCase().includes(search.toLowerCase()),
  );
  return (
    <section>
      <h1>Catalog</h1>
      <div className="toolbar">
        <label>
          Search sources{' '}
          <input
            type="search"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
            }}
          />
        </label>
        <label>
          Category{' '}
          <select
            value={category}
            onChange={(e) => {
              setCategory(e.target.value);
            }}
          >
            <option value="">All categories</option>
            {categories.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
      </div>
      <ProblemView error={data.error} />
      {data.loading && data.data === undefined ? <p role="status">Loading sources…</p> : null}
      <ul className="cards" aria-label="Sources">
        {shown.map((spec) => {
          const accounts = data.data?.connections.filter((c) => c.connectionSpec.id === spec.id).length ?? 0;
          const flows = data.data?.flows.filter((f) => flowSpecId(f) === spec.id).length ?? 0;
          const label = specLabel(spec);
          return (
            <li key={spec.id} className="card">
              <article aria-label={label}>
                <h2>{label}</h2>
                <p className="category">{categoryOf(spec)}</p>
                <p>{description(spec)}</p>
                <p>
                  {accounts} account{accounts === 1 ? '' : 's'}, {flows} dataflow{flows === 1 ? '' : 's'}
                </p>
                <div className="actions">
                  {readOnly ? (
                    <button type="button" disabled aria-describedby="read-only-notice">
                      Set up {label}
                    </button>
                  ) : (
                    <Link className="button" to={`/connect/${spec.id}`}>
                      Set up {label}
                    </Link>
                  )}
                  {accounts > 0 ? (
                    <Link className="button secondary" to={`/accounts?spec=${spec.id}`}>
                      Add data from {label}
                    </Link>
                  ) : null}
                </div>
              </article>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
