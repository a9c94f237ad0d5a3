/**
 * The sign-in link of Sluice Studio: `http://<host>:<port>/#token=…&apiKey=…&org=…&sandbox=…`.
 *
 * Guarantees and why:
 * - The credentials are only in the URL fragment, which browsers never send to a server, so they reach
 *   no access log or proxy; the app reads them, keeps them in sessionStorage and removes the fragment
 *   from the address bar at once (history.replaceState).
 * - Each link carries a fresh access token named `studio-link` that expires after `ttlHours` (default
 *   12 h) and a fresh API key (`sluice-studio`): a link found later in a terminal's scrollback is dead
 *   by then, and `sluice tokens revoke <id>` ends it sooner. `--read-only` links carry a read-only token.
 * - The server mints one at each start (printed once in the banner) and `sluice ui-link` mints more; the
 *   secrets are stored only hashed, like every token and key.
 */
import type { IdentityService } from './identity.ts';

export const STUDIO_LINK_TTL_HOURS = 12;

export interface StudioLink {
  readonly url: string;
  readonly tokenId: string;
  readonly expiresAt: number;
  readonly readOnly: boolean;
}

/** The origin a browser on this machine reaches a server bound to `host` at. */
export function browserOrigin(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export async function mintStudioLink(
  identity: Pick<IdentityService, 'createToken' | 'createApiKey'>,
  options: {
    readonly origin: string;
    readonly orgId: string;
    readonly sandboxName: string;
    readonly readOnly?: boolean;
    readonly ttlHours?: number;
  },
): Promise<StudioLink> {
  const readOnly = options.readOnly ?? false;
  const { token, value } = await identity.createToken(options.orgId, {
    name: readOnly ? 'studio-link-read-only' : 'studio-link',
    readOnly,
    expiresInDays: (options.ttlHours ?? STUDIO_LINK_TTL_HOURS) / 24,
  });
  const apiKey = await identity.createApiKey(options.orgId, 'sluice-studio');
  const fragment = new URLSearchParams({
    token: value,
    apiKey: apiKey.value,
    org: options.orgId,
    sandbox: options.sandboxName,
  });
  return {
    url: `${options.origin}/#${fragment.toString()}`,
    tokenId: token.id,
    expiresAt: token.expiresAt ?? 0,
    readOnly,
  };
}
