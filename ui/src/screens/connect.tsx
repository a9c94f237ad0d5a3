/**
 * Connect account: a new account (name, description, the form of the chosen authSpec) or an existing one.
 * On submit the API verifies the credentials live; the staged report (parse, reach, authenticate, …
 * with timings) is shown, and the API's per-field errors appear beside their fields. Save as draft skips
 * the verification (mode=draft).
 */
import { useState, type SyntheticEvent } from 'react';
import { api, ApiError, requestMark, requestsSince, unwrap } from '../api.ts';
import { registerSecret, type RecordedRequest } from '../curl.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { ShowRequest } from '../components/show-request.tsx';
import { fieldErrors, secretFields, SpecForm } from '../components/spec-form.tsx';
import { specValidator } from '../components/spec-validator.ts';
import { StageList } from '../components/stage-list.tsx';
import { useAsync } from '../components/use-async.ts';
import { WriteButton } from '../components/write-button.tsx';
import { allConnections, specLabel } from '../lists.ts';
import type { ConnectionSpec, Stage } from '../model.ts';
import { Link, navigate } from '../router.tsx';
import type { ScreenProps } from '../routes.tsx';
import type { RJSFSchema } from '@rjsf/utils';

type Outcome =
  { kind: 'created'; id: string; draft: boolean; stages: Stage[] } | { kind: 'failed'; error: unknown };

export default function Connect({ params: route }: ScreenProps) {
  const specId = route['specId'] ?? '';
  const loaded = useAsync(async () => {
    const spec = unwrap(
      await api.GET('/data/foundation/flowservice/connectionSpecs/{id}', {
        params: { path: { id: specId } },
      }),
    ).items[0] as unknown as ConnectionSpec;
    const existing = (await allConnections()).filter((connection) => connection.connectionSpec.id === specId);
    return { spec, existing };
  }, [specId]);
  const [mode, setMode] = useState<'new' | 'existing'>('new');
  const [authName, setAuthName] = useState<string | undefined>(undefined);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [params, setParams] = useState<Record<string, unknown>>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [requests, setRequests] = useState<RecordedRequest[]>([]);
  const [localErrors, setLocalErrors] = useState<Record<string, unknown> | undefined>(undefined);

  if (loaded.error !== undefined) return <ProblemView error={loaded.error} />;
  if (loaded.data === undefined) return <p role="status">Loading…</p>;
  const { spec, existing } = loaded.data;
  const auth = spec.authSpec.find((candidate) => candidate.name === authName) ?? spec.authSpec[0];
  const label = specLabel(spec);
  const draftSupported = spec.attributes?.['isDraftModeSupported'] === true;

  const submit = async (draft: boolean): Promise<void> => {
    if (auth === undefined) return;
    const checked = specValidator.validateFormData(params, auth.spec as RJSFSchema);
    if (name.trim() === '' || (!draft && checked.errors.length > 0)) {
      setLocalErrors(checked.errorSchema);
      setOutcome({
        kind: 'failed',
        error: new Error(name.trim() === '' ? 'Give the account a name.' : 'Fix the fields marked below.'),
      });
      return;
    }
    setLocalErrors(undefined);
    for (const field of secretFields(auth.spec)) {
      const value = params[field];
      if (typeof value === 'string') registerSecret(value);
    }
    setBusy(true);
    setOutcome(undefined);
    const mark = requestMark();
    try {
      const created = unwrap(
        await api.POST('/data/foundation/flowservice/connections', {
          params: { query: draft ? { mode: 'draft' } : {} },
          body: {
            name: name.trim(),
            ...(description.trim() === '' ? {} : { description: description.trim() }),
            auth: { specName: auth.name, params },
            connectionSpec: { id: spec.id, version: spec.version },
          },
        }),
      );
      let stages: Stage[] = [];
      if (!draft) {
        const tested = unwrap(
          await api.GET('/data/foundation/flowservice/connections/{id}/test', {
            params: { path: { id: created.id } },
          }),
        ) as { stages?: Stage[] };
        stages = tested.stages ?? [];
      }
      setOutcome({ kind: 'created', id: created.id, draft, stages });
    } catch (error) {
      setOutcome({ kind: 'failed', error });
    } finally {
      setRequests(requestsSince(mark));
      setBusy(false);
    }
  };

  const apiError =
    outcome?.kind === 'failed' && outcome.error instanceof ApiError ? outcome.error : undefined;
  const fields = (apiError?.problem.report['fields'] as string[] | undefined) ?? [];
  const extraErrors =
    localErrors ??
    (apiError === undefined ? undefined : fieldErrors(fields, 'auth.params', apiError.message));

  return (
    <section>
      <h1>Connect {label}</h1>
      <fieldset className="choice">
        <legend>Account</legend>
        <label>
          <input
            type="radio"
            name="mode"
            checked={mode === 'new'}
            onChange={() => {
              setMode('new');
            }}
          />{' '}
          New account
        </label>
        <label>
          <input
            type="radio"
            name="mode"
            checked={mode === 'existing'}
            disabled={existing.length === 0}
            onChange={() => {
              setMode('existing');
            }}
          />{' '}
          Existing account ({existing.length})
        </label>
      </fieldset>
      {mode === 'existing' ? (
        <ul aria-label="Existing accounts">
          {existing.map((connection) => (
            <li key={connection.id}>
              <Link to={`/accounts/${connection.id}/explore`}>Select data from {connection.name}</Link>
            </li>
          ))}
        </ul>
      ) : (
        <form
          aria-label={`Connect ${label}`}
          onSubmit={(event: SyntheticEvent) => {
            event.preventDefault();
            void submit(false);
          }}
        >
          <label>
            Account name
            <input
              value={name}
              required
              onChange={(e) => {
                setName(e.target.value);
              }}
            />
          </label>
          <label>
            Description
            <input
              value={description}
              onChange={(e) => {
                setDescription(e.target.value);
              }}
            />
          </label>
          {spec.authSpec.length > 1 ? (
            <label>
              Authentication type
              <select
                value={auth?.name}
                onChange={(e) => {
                  setAuthName(e.target.value);
                  setParams({});
                }}
              >
                {spec.authSpec.map((candidate) => (
                  <option key={candidate.name}>{candidate.name}</option>
                ))}
              </select>
            </label>
          ) : (
            <p>Authentication: {auth?.name}</p>
          )}
          {auth === undefined ? null : (
            <fieldset>
              <legend>{auth.name}</legend>
              <SpecForm
                id="auth"
                schema={auth.spec}
                formData={params}
                onChange={setParams}
                extraErrors={extraErrors as never}
              />
            </fieldset>
          )}
          <div className="actions">
            <WriteButton type="submit" disabled={busy}>
              {busy ? 'Verifying…' : 'Connect'}
            </WriteButton>
            {draftSupported ? (
              <WriteButton
                disabled={busy}
                onClick={() => {
                  void submit(true);
                }}
              >
                Save as draft
              </WriteButton>
            ) : null}
          </div>
        </form>
      )}
      <div aria-live="polite">
        {busy ? <p role="status">Verifying the credentials with {label}…</p> : null}
        {outcome?.kind === 'failed' ? (
          <ProblemView error={outcome.error} heading="The account was not created" />
        ) : null}
        {outcome?.kind === 'created' ? (
          <div className="success" role="status">
            <p>
              {outcome.draft
                ? 'Saved as a draft (not verified).'
                : 'Connected: every verification stage passed.'}
            </p>
            {outcome.stages.length > 0 ? <StageList stages={outcome.stages} /> : null}
            <p>
              <Link to={`/accounts/${outcome.id}/explore`}>Select data</Link> ·{' '}
              <Link to={`/accounts/${outcome.id}`}>View account</Link>
            </p>
          </div>
        ) : null}
        {outcome?.kind === 'failed' ? null : <ShowRequest requests={requests} />}
      </div>
      <p>
        <button
          type="button"
          className="link"
          onClick={() => {
            navigate('/catalog');
          }}
        >
          Back to the catalog
        </button>
      </p>
    </section>
  );
}
