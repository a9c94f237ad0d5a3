/**
 * The SQL console: one read-only SELECT over dataset('<name or id>') (POST /query/queries, the same
 * locked-down query as `sluice query`), a results grid and a CSV download. Read-only tokens may query.
 */
import { useState, type SyntheticEvent } from 'react';
import { api, requestMark, requestsSince, unwrap } from '../api.ts';
import type { RecordedRequest } from '../curl.ts';
import { cellText, DataGrid } from '../components/data-grid.tsx';
import { toCsv, type QueryResult as Result } from '../csv.ts';
import { download } from '../components/format.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { ShowRequest } from '../components/show-request.tsx';
import { useLocation } from '../router.tsx';

export default function SqlConsole() {
  const { query } = useLocation();
  const dataset = query.get('dataset') ?? 'my dataset';
  const [sql, setSql] = useState(`SELECT * FROM dataset('${dataset.replaceAll("'", "''")}') LIMIT 100`);
  const [maxRows, setMaxRows] = useState(1000);
  const [result, setResult] = useState<Result | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [requests, setRequests] = useState<RecordedRequest[]>([]);

  const run = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const mark = requestMark();
    try {
      setResult(unwrap(await api.POST('/data/foundation/query/queries', { body: { sql, maxRows } })));
    } catch (caught) {
      setResult(undefined);
      setError(caught);
    } finally {
      setRequests(requestsSince(mark));
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>SQL console</h1>
      <form
        aria-label="Query"
        onSubmit={(event) => {
          void run(event);
        }}
      >
        <label>
          SQL
          <textarea
            rows={5}
            value={sql}
            spellCheck={false}
            onChange={(e) => {
              setSql(e.target.value);
            }}
          />
        </label>
        <p className="help">One SELECT over dataset('name or id'); committed batches only; read-only.</p>
        <label>
          Maximum rows{' '}
          <input
            type="number"
            min={1}
            max={10000}
            value={maxRows}
            onChange={(e) => {
              setMaxRows(Number(e.target.value));
            }}
          />
        </label>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Running…' : 'Run query'}
          </button>
          <button
            type="button"
            disabled={result === undefined}
            onClick={() => {
              if (result) download('query.csv', toCsv(result), 'text/csv');
            }}
          >
            Download CSV
          </button>
        </div>
      </form>
      <ProblemView error={error} heading="The query was refused" />
      <ShowRequest requests={requests} />
      {result === undefined ? null : (
        <>
          <p role="status">
            {result.rowCount} row{result.rowCount === 1 ? '' : 's'} in {result.elapsedMs} ms
            {result.truncated ? ` (truncated at ${maxRows}; add a LIMIT or raise the maximum)` : ''}.
          </p>
          <DataGrid<unknown[]>
            caption="Query results"
            rows={result.rows}
            pageSize={100}
            columns={result.columns.map((column, index) => ({
              header: column.name,
              cell: (row) => cellText(row[index]),
            }))}
          />
        </>
      )}
    </section>
  );
}
