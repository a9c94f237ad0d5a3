/**
 * The shell: a header with the navigation, the sandbox picker and sign-out, and the current screen
 * (each screen is its own chunk, loaded on first visit). Without a session every URL shows sign-in, and
 * the URL is kept, so a deep link opens its screen after signing in.
 */
import { Suspense, useEffect, useRef } from 'react';
import { Link, useLocation } from './router.tsx';
import { findRoute } from './routes.tsx';
import { SandboxPicker } from './components/sandbox-picker.tsx';
import { signOut } from './sign-in-flow.ts';
import { useSession } from './session.ts';
import SignIn from './screens/sign-in.tsx';

const NAV = [
  ['/catalog', 'Catalog'],
  ['/accounts', 'Accounts'],
  ['/dataflows', 'Dataflows'],
  ['/datasets', 'Datasets'],
  ['/query', 'SQL console'],
] as const;

export function App() {
  const current = useSession();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const found = findRoute(path === '/' ? '/catalog' : path);
  const signedIn = current?.identity !== undefined;
  const title = signedIn ? (found?.route.title ?? 'Not found') : 'Sign in';

  useEffect(() => {
    document.title = `${title} · Sluice Studio`;
    main.current?.focus();
  }, [title, path]);

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Sluice Studio</span>
        {signedIn ? (
          <>
            <nav aria-label="Main">
              <ul>
                {NAV.map(([to, label]) => (
                  <li key={to}>
                    <Link to={to} aria-current={path.startsWith(to) ? 'page' : undefined}>
                      {label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            <div className="who">
              <span>
                {current.identity.orgName}
                {current.identity.expiresAt === null ? null : (
                  <small className="expiry">
                    {' '}
                    (signed in until {new Date(current.identity.expiresAt).toLocaleString()})
                  </small>
                )}
              </span>
              <SandboxPicker />
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </div>
          </>
        ) : null}
      </header>
      {signedIn && current.identity.readOnly ? (
        <p id="read-only-notice" className="notice" role="note">
          Read-only token: you can see everything; actions that change something are disabled.
        </p>
      ) : null}
      <main id="main" ref={main} tabIndex={-1}>
        {!signedIn ? (
          <SignIn />
        ) : found === undefined ? (
          <h1>Not found</h1>
        ) : (
          <Suspense fallback={<p role="status">Loading…</p>}>
            <found.route.Screen key={current.credentials.sandboxName} params={found.params} />
          </Suspense>
        )}
      </main>
    </>
  );
}
