/**
 * The signed-in credentials. Guarantees: they live in memory and in sessionStorage only (gone when the
 * tab closes; never localStorage, never a cookie), they are never put in a URL query or logged, and the
 * sign-in link's fragment is removed from the address bar as soon as it is read.
 */
import { useSyncExternalStore } from 'react';

export interface Credentials {
  readonly accessToken: string;
  readonly apiKey: string;
  readonly orgId: string;
  readonly sandboxName: string;
}

export interface Identity {
  readonly orgName: string;
  readonly readOnly: boolean;
  readonly expiresAt: string | null;
  readonly tokenId: string;
}

export interface Session {
  readonly credentials: Credentials;
  readonly identity?: Identity;
}

const KEY = 'sluice-studio-session';
type Listener = () => void;
const listeners = new Set<Listener>();

function load(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw === null ? undefined : (JSON.parse(raw) as Session);
  } catch {
    return undefined;
  }
}

let current: Session | undefined = load();
/** Why the last session ended (an expired token, a sign-out), shown on the sign-in screen. */
let endReason: string | undefined;

function emit(): void {
  for (const listener of listeners) listener();
}

export const session = {
  get: (): Session | undefined => current,
  credentials: (): Credentials | undefined => current?.credentials,
  set(next: Session): void {
    current = next;
    endReason = undefined;
    sessionStorage.setItem(KEY, JSON.stringify(next));
    emit();
  },
  end(reason: string): void {
    current = undefined;
    endReason = reason;
    sessionStorage.removeItem(KEY);
    emit();
  },
  endReason: (): string | undefined => endReason,
  subscribe: (listener: Listener): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useSession(): Session | undefined {
  return useSyncExternalStore(session.subscribe, session.get);
}

/** Reads `#token=…&apiKey=…&org=…&sandbox=…` once, then removes it from the address bar and history. */
export function takeLinkCredentials(): Credentials | undefined {
  if (!location.hash.includes('token=')) return undefined;
  const params = new URLSearchParams(location.hash.slice(1));
  history.replaceState(history.state, '', location.pathname + location.search);
  const accessToken = params.get('token');
  const apiKey = params.get('apiKey');
  const orgId = params.get('org');
  if (!accessToken || !apiKey || !orgId) return undefined;
  return { accessToken, apiKey, orgId, sandboxName: params.get('sandbox') ?? 'prod' };
}
