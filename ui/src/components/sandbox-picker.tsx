/** The org's sandboxes (Sandbox Management API); choosing one switches every screen to it. */
import { api, unwrap } from '../api.ts';
import { session, useSession } from '../session.ts';
import { useAsync } from './use-async.ts';

export function SandboxPicker() {
  const current = useSession();
  const sandboxes = useAsync(
    async () =>
      unwrap(
        await api.GET('/data/foundation/sandbox-management/sandboxes', {
          params: { query: { limit: '100' } },
        }),
      ).sandboxes,
    [current?.credentials.orgId],
  );
  if (current === undefined) return null;
  const names = sandboxes.data?.map((sandbox) => sandbox.name) ?? [current.credentials.sandboxName];
  return (
    <label className="sandbox">
      Sandbox{' '}
      <select
        value={current.credentials.sandboxName}
        onChange={(event) => {
          session.set({
            ...current,
            credentials: { ...current.credentials, sandboxName: event.target.value },
          });
        }}
      >
        {names.map((name) => (
          <option key={name} value={name}>
            {sandboxes.data?.find((sandbox) => sandbox.name === name)?.title ?? name}
          </option>
        ))}
      </select>
    </label>
  );
}
