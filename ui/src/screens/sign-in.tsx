/**
 * Sign in: open the link `npm start` prints (credentials in the URL fragment), or paste the token, API key
 * and org. An expired or revoked token lands here with the API's reason.
 */
import { useState, type SyntheticEvent } from 'react';
import { session } from '../session.ts';
import { signIn } from '../sign-in-flow.ts';

export default function SignIn() {
  const [busy, setBusy] = useState(false);
  const reason = session.endReason();
  const submit = (event: SyntheticEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string): string => {
      const entry = form.get(name);
      return typeof entry === 'string' ? entry.trim() : '';
    };
    setBusy(true);
    signIn({
      accessToken: value('token'),
      apiKey: value('apiKey'),
      orgId: value('org'),
      sandboxName: value('sandbox') || 'prod',
    }).catch(() => {
      setBusy(false);
    });
  };
  return (
    <section className="sign-in">
      <h1>Sign in to Sluice Studio</h1>
      {reason === undefined ? null : (
        <p role="alert" className="problem">
          {reason}
        </p>
      )}
      <p>
        Open the sign-in link that <code>npm start</code> prints (or <code>npx sluice ui-link</code>), or
        paste the credentials. They are kept in this tab only and sent as request headers, never in a URL.
      </p>
      <form onSubmit={submit} aria-label="Sign in">
        <label>
          Access token
          <input name="token" type="password" autoComplete="off" required placeholder="slt_…" />
        </label>
        <label>
          API key
          <input name="apiKey" type="password" autoComplete="off" required placeholder="slk_…" />
        </label>
        <label>
          Organization
          <input name="org" type="text" autoComplete="off" required placeholder="…@AdobeOrg" />
        </label>
        <label>
          Sandbox
          <input name="sandbox" type="text" autoComplete="off" defaultValue="prod" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
