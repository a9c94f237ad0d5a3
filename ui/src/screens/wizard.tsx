/**
 * The dataflow wizard: dataset (new from the explored columns, or existing), mapping (source column →
 * dataset field, checked by /mappingSets/validate), scheduling (once/minute/hour/day/week, interval, start
 * time in UTC and local, backfill, delta column among the timestamp columns), error diagnostics and the
 * partial-ingestion threshold, review, create (wizard-create.ts lists each call and rolls back on failure).
 */
import { useState } from 'react';
import { api, requestMark, requestsSince, unwrap } from '../api.ts';
import type { RecordedRequest } from '../curl.ts';
import { local, utc } from '../components/format.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { ShowRequest } from '../components/show-request.tsx';
import { useAsync } from '../components/use-async.ts';
import { WriteButton } from '../components/write-button.tsx';
import {
  isTemporal,
  type Connection,
  type ConnectionSpec,
  type Dataset,
  type DatasetField,
  type ExploredTable,
} from '../model.ts';
import { Link, useLocation } from '../router.tsx';
import { createDataflow, fieldsFromColumns, type StepReport } from '../wizard-create.ts';
import { MappingStep, type MappingRow } from './wizard-mapping.tsx';

const STEPS = ['Dataset', 'Mapping', 'Scheduling', 'Errors', 'Review'] as const;
const FREQUENCIES = ['once', 'minute', 'hour', 'day', 'week'] as const;

const toLocalInput = (ms: number): string => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

export default function Wizard() {
  const { query } = useLocation();
  const accountId = query.get('account') ?? '';
  const table = query.get('table') ?? '';
  const filtersParam = query.get('filters');
  const filters =
    filtersParam === null
      ? undefined
      : (JSON.parse(
          new TextDecoder().decode(Uint8Array.from(atob(filtersParam), (c) => c.charCodeAt(0))),
        ) as unknown);

  const loaded = useAsync(async () => {
    const connection = unwrap(
      await api.GET('/data/foundation/flowservice/connections/{id}', { params: { path: { id: accountId } } }),
    ).items[0] as unknown as Connection;
    const spec = unwrap(
      await api.GET('/data/foundation/flowservice/connectionSpecs/{id}', {
        params: { path: { id: connection.connectionSpec.id } },
      }),
    ).items[0] as unknown as ConnectionSpec;
    const explored = unwrap(
      await api.GET('/data/foundation/flowservice/connections/{id}/explore', {
        params: { path: { id: accountId }, query: { objectType: 'table', object: table } },
      }),
    ) as ExploredTable;
    const datasets = unwrap(
      await api.GET('/data/foundation/catalog/dataSets', { params: { query: { limit: '100' } } }),
    ) as Record<string, Dataset>;
    return { connection, spec, columns: explored.schema.columns, datasets };
  }, [accountId, table]);

  const [step, setStep] = useState(0);
  const [name, setName] = useState(`${table} dataflow`);
  const [datasetMode, setDatasetMode] = useState<'new' | 'existing'>('new');
  const [datasetName, setDatasetName] = useState(`${table} landing`);
  const [existingId, setExistingId] = useState('');
  const [mapping, setMapping] = useState<MappingRow[] | undefined>(undefined);
  const [frequency, setFrequency] = useState<string>('once');
  const [interval, setInterval] = useState(15);
  const [startTime, setStartTime] = useState(() => Math.ceil(Date.now() / 60_000) * 60_000);
  const [backfill, setBackfill] = useState(true);
  const [deltaColumn, setDeltaColumn] = useState('');
  const [diagnostics, setDiagnostics] = useState(true);
  const [partial, setPartial] = useState(false);
  const [percent, setPercent] = useState(10);
  const [progress, setProgress] = useState<StepReport[]>([]);
  const [outcome, setOutcome] = useState<{ flowId?: string; error?: unknown } | undefined>(undefined);
  const [requests, setRequests] = useState<RecordedRequest[]>([]);

  if (loaded.error !== undefined) return <ProblemView error={loaded.error} />;
  if (loaded.data === undefined) return <p role="status">Loading the table…</p>;
  const { connection, spec, columns, datasets } = loaded.data;
  const temporal = columns.filter(isTemporal);
  const delta = deltaColumn || temporal[0]?.name || '';
  const fields: DatasetField[] =
    datasetMode === 'new' ? fieldsFromColumns(columns) : (datasets[existingId]?.schema?.fields ?? []);
  const rows: MappingRow[] =
    mapping ??
    columns.map((column) => ({
      source: column.name,
      destination: fields.some((f) => f.name === column.name) ? column.name : '',
    }));

  const create = async (): Promise<void> => {
    setOutcome(undefined);
    const mark = requestMark();
    try {
      const flowId = await createDataflow(
        {
          name,
          accountId,
          specId: spec.id,
          specVersion: spec.version,
          table,
          columns,
          ...(filters === undefined ? {} : { filters }),
          dataset:
            datasetMode === 'new'
              ? { mode: 'new', name: datasetName, fields }
              : { mode: 'existing', id: existingId },
          mappings: rows.filter((row) => row.destination !== ''),
          schedule: { frequency, interval, startTime, backfill, deltaColumn: delta },
          diagnostics,
          partialPercent: partial ? percent : undefined,
        },
        setProgress,
      );
      setOutcome({ flowId });
    } catch (error) {
      setOutcome({ error });
    } finally {
      setRequests(requestsSince(mark));
    }
  };

  return (
    <section>
      <h1>New dataflow from {table}</h1>
      <p>
        Account {connection.name}, table {table}
        {filters === undefined ? '' : ', filtered'}.
      </p>
      <ol className="steps" aria-label="Wizard steps">
        {STEPS.map((label, index) => (
          <li key={label} aria-current={index === step ? 'step' : undefined}>
            {label}
          </li>
        ))}
      </ol>
      <form
        aria-label={`Step ${step + 1}: ${STEPS[step] ?? ''}`}
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        {step === 0 ? (
          <fieldset>
            <legend>Dataset</legend>
            <label>
              <input
                type="radio"
                name="dataset"
                checked={datasetMode === 'new'}
                onChange={() => {
                  setDatasetMode('new');
                  setMapping(undefined);
                }}
              />{' '}
              New dataset
            </label>
            <label>
              <input
                type="radio"
                name="dataset"
                checked={datasetMode === 'existing'}
                onChange={() => {
                  setDatasetMode('existing');
                  setMapping(undefined);
                }}
              />{' '}
              Existing dataset
            </label>
            {datasetMode === 'new' ? (
              <>
                <label>
                  Dataset name{' '}
                  <input
                    value={datasetName}
                    onChange={(e) => {
                      setDatasetName(e.target.value);
                    }}
                  />
                </label>
                <p>Fields: {fields.map((f) => `${f.name} (${f.type})`).join(', ')}</p>
              </>
            ) : (
              <label>
                Dataset{' '}
                <select
                  value={existingId}
                  onChange={(e) => {
                    setExistingId(e.target.value);
                    setMapping(undefined);
                  }}
                >
                  <option value="">Choose a dataset</option>
                  {Object.entries(datasets).map(([id, dataset]) => (
                    <option key={id} value={id}>
                      {dataset.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </fieldset>
        ) : null}
        {step === 1 ? (
          <MappingStep
            rows={rows}
            columns={columns}
            fields={fields}
            dataSetId={datasetMode === 'existing' ? existingId : undefined}
            onChange={setMapping}
          />
        ) : null}
        {step === 2 ? (
          <fieldset>
            <legend>Scheduling</legend>
            <label>
              Frequency{' '}
              <select
                value={frequency}
                onChange={(e) => {
                  setFrequency(e.target.value);
                }}
              >
                {FREQUENCIES.map((f) => (
                  <option key={f}>{f}</option>
                ))}
              </select>
            </label>
            {frequency === 'once' ? (
              <p className="help">
                A once dataflow runs when you press “Run now”; each run lands the rows changed since the
                previous one.
              </p>
            ) : (
              <>
                <label>
                  Interval{' '}
                  <input
                    type="number"
                    min={frequency === 'minute' ? 15 : 1}
                    value={interval}
                    onChange={(e) => {
                      setInterval(Number(e.target.value));
                    }}
                  />
                </label>
                <label>
                  <input
                    type="checkbox"
                    checked={backfill}
                    onChange={(e) => {
                      setBackfill(e.target.checked);
                    }}
                  />{' '}
                  Backfill (read the history before the start time)
                </label>
              </>
            )}
            <label>
              Start time{' '}
              <input
                type="datetime-local"
                value={toLocalInput(startTime)}
                onChange={(e) => {
                  const ms = new Date(e.target.value).getTime();
                  if (Number.isFinite(ms)) setStartTime(ms);
                }}
              />
            </label>
            <p>
              Starts at {utc(startTime)} (UTC), {local(startTime)} (local time).
            </p>
            <label>
              Delta column{' '}
              <select
                value={delta}
                onChange={(e) => {
                  setDeltaColumn(e.target.value);
                }}
              >
                {temporal.map((c) => (
                  <option key={c.name}>{c.name}</option>
                ))}
              </select>
            </label>
            {temporal.length === 0 ? (
              <p role="alert">This table has no date or timestamp column to read increments by.</p>
            ) : null}
          </fieldset>
        ) : null}
        {step === 3 ? (
          <fieldset>
            <legend>Errors</legend>
            <label>
              <input
                type="checkbox"
                checked={diagnostics}
                onChange={(e) => {
                  setDiagnostics(e.target.checked);
                }}
              />{' '}
              Error diagnostics (keep row errors and their file)
            </label>
            <label>
              <input
                type="checkbox"
                checked={partial}
                onChange={(e) => {
                  setPartial(e.target.checked);
                }}
              />{' '}
              Partial ingestion (land the good rows when some fail)
            </label>
            {partial ? (
              <label>
                Error threshold (%){' '}
                <input
                  type="number"
                  min={0}
                  max={100}
                  value={percent}
                  onChange={(e) => {
                    setPercent(Number(e.target.value));
                  }}
                />
              </label>
            ) : null}
          </fieldset>
        ) : null}
        {step === 4 ? (
          <fieldset>
            <legend>Review</legend>
            <label>
              Dataflow name{' '}
              <input
                value={name}
                onChange={(e) => {
                  setName(e.target.value);
                }}
              />
            </label>
            <dl className="facts">
              <dt>Source</dt>
              <dd>
                {connection.name}: {table}
              </dd>
              <dt>Dataset</dt>
              <dd>
                {datasetMode === 'new'
                  ? `new: ${datasetName}`
                  : (datasets[existingId]?.name ?? 'none chosen')}
              </dd>
              <dt>Mapping</dt>
              <dd>
                {rows
                  .filter((r) => r.destination !== '')
                  .map((r) => `${r.source} → ${r.destination}`)
                  .join(', ')}
              </dd>
              <dt>Schedule</dt>
              <dd>
                {frequency === 'once'
                  ? 'once (run now)'
                  : `every ${interval} ${frequency}(s), backfill ${backfill ? 'on' : 'off'}`}
                , from {utc(startTime)}, delta column {delta || 'none'}
              </dd>
              <dt>Errors</dt>
              <dd>
                diagnostics {diagnostics ? 'on' : 'off'}, partial ingestion{' '}
                {partial ? `up to ${percent}%` : 'off'}
              </dd>
            </dl>
          </fieldset>
        ) : null}
        <div className="actions">
          <button
            type="button"
            disabled={step === 0}
            onClick={() => {
              setStep(step - 1);
            }}
          >
            Back
          </button>
          {step < STEPS.length - 1 ? (
            <button
              type="button"
              disabled={step === 0 && datasetMode === 'existing' && existingId === ''}
              onClick={() => {
                setStep(step + 1);
              }}
            >
              Next
            </button>
          ) : (
            <WriteButton
              disabled={progress.some((p) => p.status === 'running') || outcome?.flowId !== undefined}
              onClick={() => {
                void create();
              }}
            >
              Create dataflow
            </WriteButton>
          )}
        </div>
      </form>
      {progress.length > 0 ? (
        <ol className="calls" aria-label="API calls" aria-live="polite">
          {progress.map((p, index) => (
            <li key={index} className={`call call-${p.status}`}>
              {p.label}: {p.status}
              {p.detail === undefined ? null : <div>{p.detail}</div>}
              {p.request === undefined ? null : <ShowRequest requests={[p.request]} />}
            </li>
          ))}
        </ol>
      ) : null}
      <ShowRequest requests={requests} label="Show requests" />
      {outcome?.error !== undefined ? (
        <ProblemView error={outcome.error} heading="The dataflow was not created" />
      ) : null}
      {outcome?.flowId !== undefined ? (
        <p role="status">
          Dataflow created. <Link to={`/dataflows/${outcome.flowId}`}>Open its runs</Link> ·{' '}
          <Link to="/dataflows">All dataflows</Link>
        </p>
      ) : null}
    </section>
  );
}
