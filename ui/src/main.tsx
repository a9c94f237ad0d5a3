/** Entry: take a sign-in link's credentials from the fragment (then drop it), and render the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { takeLinkCredentials } from './session.ts';
import { signIn } from './sign-in-flow.ts';
import './styles.css';

const fromLink = takeLinkCredentials();
const root = createRoot(document.getElementById('root') as HTMLElement);
root.render(
  <StrictMode>
    <App />
  </StrictMode>,
);
if (fromLink !== undefined) void signIn(fromLink).catch(() => undefined);
