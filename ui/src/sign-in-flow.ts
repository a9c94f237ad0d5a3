/**
 * Signing in: the credentials are checked with whoami (which also says read-only and expiry) before the
 * session starts; a refusal ends on the sign-in screen with the API's reason.
 */
import { api, errorMessage, unwrap } from './api.ts';
import { navigate } from './router.tsx';
import { session, type Credentials } from './session.ts';

export async function signIn(credentials: Credentials): Promise<void> {
  // The request must carry the new credentials, not a previous session's.
  session.set({ credentials });
  try {
    const me = unwrap(await api.GET('/data/foundation/sluice/whoami'));
    session.set({
      credentials,
      identity: { orgName: me.orgName, readOnly: me.readOnly, expiresAt: me.expiresAt, tokenId: me.tokenId },
    });
    if (location.pathname === '/' || location.pathname === '/sign-in')
      navigate('/catalog', { replace: true });
  } catch (error) {
    session.end(`Sign-in failed: ${errorMessage(error)}`);
    navigate('/sign-in', { replace: true });
    throw error;
  }
}

export function signOut(): void {
  session.end('You signed out.');
  navigate('/sign-in');
}
