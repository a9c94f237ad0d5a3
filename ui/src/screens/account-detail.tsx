/**
 * One account: its fields (secrets masked), test again, edit credentials (JSON Patch with If-Match; a
 * stale edit says so and offers a reload), delete (a refusal lists the dataflows in the way).
 */
import { Fragment, useState } from 'react';
import { api, ApiError, requestMark, requestsSince, unwrap } from '../api.ts';
import { registerSecret, type RecordedRequest } from '../curl.ts';
import { local } from '../components/format.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { ShowRequest } from '../components/show-request.tsx';
import { fieldErrors, secretFields, SpecForm } from '../components/spec-form.tsx';
import { StageList } from '../components/stage-list.tsx';
import { useAsync } from '../components/use-async.ts';
import { WriteButton } from '../components/write-button.tsx';
import { allFlows, flowConnectionId, specLabel } from '../lists.ts';
import type { Connection, ConnectionSpec, Stage } from '../model.ts';
import { Link, navigate } from '../router.tsx';
import type { ScreenProps } from '../routes.tsx';

export default function AccountDetail({ params }: ScreenProps) {
  const id = params['id'] ?? '';
  const loaded = useAsync(async () => {
    const connection = unwrap(
      await api.GET('/data/foundation/flowservice/connections/{id}', { params: { path: { id } } }),
    ).items[0] as unknown as Connection;
    const spec = unwrap(
      await api.GET('/data/foundation/flowservice/connectionSpecs/{id}', {
        params: { path: { id: connection.connectionSpec.id } },
      }),
    ).items[0] as unknown as ConnectionSpec;
    const flows = (await allFlows()).filter((flow) => flowConnectionId(flow) === id);
    return { connection, spec, flows };
  }, [id]);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<{ name: string; description: string; params: Record<string, unknown> }>({
    name: '',
    description: '',
    params: {},
  });
  const [result, setResult] = useState<
    { message?: string; stages?: Stage[]; error?: unknown; stale?: boolean } | undefined
  >(undefined);
  const [requests, setRequests] = useState<RecordedRequest[]>([]);
  const [busy, setBusy] = useState(false);

  if (loaded.error !== undefined) return <ProblemView error={loaded.error} />;
  if (loaded.data === undefined) return <p role="status">Loading…</p>;
  const { connection, spec, flows } = loaded.data;
  const auth =
    spec.authSpec.find((candidate) => candidate.name === connection.auth.specName) ?? spec.authSpec[0];
  const secrets = auth === undefined ? [] : secretFields(auth.spec);

  const act = async (action: () => Promise<Partial<NonNullable<typeof result>>>): Promise<void> => {
    setBusy(true);
    const mark = requestMark();
    try {
      setResult(await action());
    } catch (error) {
      setResult({ error, stale: error instanceof ApiError && error.code === 'FLOW-1404-412' });
    } finally {
      setRequests(requestsSince(mark));
      setBusy(false);
    }
  };

  const startEdit = (): void => {
    // Secrets come back masked: the form starts them empty, and an empty secret is left unchanged.
    const params = Object.fromEntries(
      Object.entries(connection.auth.params).filter(([key]) => !secrets.includes(key)),
    );
    setDraft({ name: connection.name, description: connection.description ?? '', params });
    setEditing(true);
    setResult(undefined);
  };

  const save = () =>
    act(async () => {
      const operations: { op: 'replace' | 'add'; path: string; value: unknown }[] = [];
      if (draft.name !== connection.name)
        operations.push({ op: 'replace', path: '/name', value: draft.name });
      if (draft.description !== (connection.description ?? ''))
        operations.push({
          op: connection.description === undefined ? 'add' : 'replace',
          path: '/description',
          value: draft.description,
        });
      for (const [key, value] of Object.entries(draft.params)) {
        if (secrets.includes(key) && (value === undefined || value === '')) continue;
        if (!secrets.includes(key) && value === connection.auth.params[key]) continue;
        if (secrets.includes(key) && typeof value === 'string') registerSecret(value);
        operations.push({
          op: key in connection.auth.params ? 'replace' : 'add',
          path: `/auth/params/${key}`,
          value,
        });
      }
      if (operations.length === 0) return { message: 'Nothing changed.' };
      unwrap(
        await api.PATCH('/data/foundation/flowservice/connections/{id}', {
          params: { path: { id }, header: { 'if-match': connection.etag } as never },
          body: operations as never,
          headers: { 'content-type': 'application/json-patch+json', 'if-match': connection.etag },
        }),
      );
      setEditing(false);
      loaded.reload();
      return { message: 'Saved: the new credentials were verified and stored.' };
    });

  const test = () =>
    act(async () => {
      const tested = unwrap(
        await api.GET('/data/foundation/flowservice/connections/{id}/test', { params: { path: { id } } }),
      ) as { result?: boolean; stages?: Stage[] };
      return {
        message: tested.result === true ? 'The connection works.' : 'The connection test failed.',
        stages: tested.stages ?? [],
      };
    });

  const remove = () =>
    act(async () => {
      unwrap(await api.DELETE('/data/foundation/flowservice/connections/{id}', { params: { path: { id } } }));
      navigate('/accounts');
      return { message: 'Deleted.' };
    });

  const error = result?.error;
  const inTheWay =
    error instanceof ApiError ? ((error.problem.report['flows'] as string[] | undefined) ?? []) : [];
  const fields =
    error instanceof ApiError ? ((error.problem.report['fields'] as string[] | undefined) ?? []) : [];

  return (
    <section>
      <h1>Account {connection.name}</h1>
      <dl className="facts">
        <dt>Source</dt>
        <dd>{specLabel(spec)}</dd>
        <dt>State</dt>
        <dd>{connection.state}</dd>
        <dt>Created</dt>
        <dd>{local(connection.createdAt)}</dd>
        <dt>Authentication</dt>
        <dd>{connection.auth.specName}</dd>
        {Object.entries(connection.auth.params).map(([key, value]) => (
          <Fragment key={key}>
            <dt>{auth?.spec.properties?.[key]?.title ?? key}</dt>
            <dd>{String(value)}</dd>
          </Fragment>
        ))}
        <dt>Dataflows</dt>
        <dd>
          {flows.length === 0
            ? 'none'
            : flows.map((flow) => (
                <Link key={flow.id} to={`/dataflows/${flow.id}`}>
                  {flow.name}{' '}
                </Link>
              ))}
        </dd>
      </dl>
      <div className="actions">
        <Link className="button" to={`/accounts/${id}/explore`}>
          Select data
        </Link>
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            void test();
          }}
        >
          Test connection
        </button>
        <WriteButton disabled={busy || editing} onClick={startEdit}>
          Edit credentials
        </WriteButton>
        <WriteButton
          disabled={busy}
          className="danger"
          onClick={() => {
            void remove();
          }}
        >
          Delete account
        </WriteButton>
      </div>
      {editing && auth !== undefined ? (
        <form
          aria-label="Edit credentials"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label>
            Account name
            <input
              value={draft.name}
              onChange={(e) => {
                setDraft({ ...draft, name: e.target.value });
              }}
            />
          </label>
          <label>
            Description
            <input
              value={draft.description}
              onChange={(e) => {
                setDraft({ ...draft, description: e.target.value });
              }}
            />
          </label>
          <p className="help">Secret fields start empty; leave one empty to keep the stored value.</p>
          <SpecForm
            id="edit"
            schema={{
              ...auth.spec,
              required: (auth.spec.required ?? []).filter((name) => !secrets.includes(name)),
            }}
            formData={draft.params}
            onChange={(params) => {
              setDraft({ ...draft, params });
            }}
            extraErrors={
              error instanceof ApiError ? fieldErrors(fields, 'auth.params', error.message) : undefined
            }
          />
          <div className="actions">
            <WriteButton type="submit" disabled={busy}>
              Save credentials
            </WriteButton>
            <button
              type="button"
              onClick={() => {
                setEditing(false);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <div aria-live="polite">
        {result?.message === undefined ? null : <p role="status">{result.message}</p>}
        {result?.stages === undefined ? null : <StageList stages={result.stages} />}
        {error === undefined ? null : <ProblemView error={error} heading="Refused" />}
        {result?.stale === true ? (
          <p>
            Someone changed this account since you opened it.{' '}
            <button
              type="button"
              onClick={() => {
                setEditing(false);
                setResult(undefined);
                loaded.reload();
              }}
            >
              Reload the account
            </button>
          </p>
        ) : null}
        {inTheWay.length > 0 ? (
          <div>
            <p>These dataflows use the account; delete them first:</p>
            <ul aria-label="Dataflows in the way">
              {inTheWay.map((flowId) => (
                <li key={flowId}>
                  <Link to={`/dataflows/${flowId}`}>
                    {flows.find((flow) => flow.id === flowId)?.name ?? flowId}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <ShowRequest requests={requests} />
      </div>
    </section>
  );
}
