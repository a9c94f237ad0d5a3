/**
 * `sluice login --url U --token T --api-key K --org O [--sandbox S] [--profile NAME]` and
 * `sluice logout [--profile NAME]`: save (or remove) the credentials of a remote Sluice in the profile
 * file (mode 0600; remote/settings.ts). `--token`, `--api-key` and `--org` may come from
 * SLUICE_ACCESS_TOKEN, SLUICE_API_KEY and SLUICE_ORG_ID instead (which keeps the token out of the shell
 * history). Login checks the credentials with GET /data/foundation/sluice/whoami before saving them and
 * prints the token masked.
 */
import { AppError } from '../../domain/errors.ts';
import { createRemoteClient } from '../remote/client.ts';
import { maskToken, normaliseUrl, profileFilePath, writeProfile } from '../remote/settings.ts';
import { UsageError } from '../context.ts';

export const LOGIN_USAGE =
  'usage: sluice login --url URL --token TOKEN --api-key KEY --org ORG_ID [--sandbox NAME] [--profile NAME] | sluice logout [--profile NAME]';

type Flags = Readonly<Record<string, string | boolean | undefined>>;
type Env = Readonly<Record<string, string | undefined>>;

const flag = (flags: Flags, name: string): string | undefined => {
  const value = flags[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

export interface LoginIo {
  readonly out: (line: string) => void;
  readonly fetch?: typeof globalThis.fetch;
}

export async function loginCommand(
  action: 'login' | 'logout',
  flags: Flags,
  env: Env,
  io: LoginIo,
): Promise<number> {
  const path = profileFilePath(env);
  const profile = flag(flags, 'profile') ?? flag(env, 'SLUICE_PROFILE') ?? 'default';
  const json = flags['output'] === 'json';
  if (action === 'logout') {
    const removed = await writeProfile(path, profile, undefined);
    io.out(
      json
        ? JSON.stringify({ profile, removed, file: path })
        : removed
          ? `Removed profile '${profile}' from ${path}.`
          : `There is no profile '${profile}' in ${path}; nothing to remove.`,
    );
    return 0;
  }
  const rawUrl = flag(flags, 'url') ?? flag(env, 'SLUICE_URL');
  const accessToken = flag(flags, 'token') ?? flag(env, 'SLUICE_ACCESS_TOKEN');
  const apiKey = flag(flags, 'api-key') ?? flag(env, 'SLUICE_API_KEY');
  const orgId = flag(flags, 'org') ?? flag(env, 'SLUICE_ORG_ID');
  const sandboxName = flag(flags, 'sandbox') ?? flag(env, 'SLUICE_SANDBOX_NAME') ?? 'prod';
  if (rawUrl === undefined || accessToken === undefined || apiKey === undefined || orgId === undefined)
    throw new UsageError(LOGIN_USAGE);
  const url = normaliseUrl(rawUrl);
  const client = createRemoteClient(
    { url, accessToken, apiKey, orgId, sandboxName },
    io.fetch === undefined ? {} : { fetch: io.fetch },
  );
  // Refuses a wrong URL, token, key, org or sandbox now rather than at the first command.
  const whoami = (await client.get('/data/foundation/sluice/whoami')) as {
    imsOrg?: unknown;
    orgName?: unknown;
    readOnly?: unknown;
    expiresAt?: unknown;
  };
  if (typeof whoami.imsOrg !== 'string')
    throw new AppError('CLI-1002-502', `${url} did not answer whoami as Sluice does; check the URL.`);
  await writeProfile(path, profile, { url, accessToken, apiKey, orgId, sandboxName });
  const summary = {
    profile,
    file: path,
    url,
    orgId,
    orgName: whoami.orgName,
    sandboxName,
    accessToken: maskToken(accessToken),
    readOnly: whoami.readOnly === true,
    expiresAt: whoami.expiresAt ?? null,
  };
  if (json) io.out(JSON.stringify(summary, null, 2));
  else {
    io.out(
      `Logged in to ${url} as ${orgId} (${String(whoami.orgName)}), sandbox ${sandboxName}, token ${summary.accessToken}${summary.readOnly ? ' (read-only)' : ''}.`,
    );
    io.out(
      profile === 'default'
        ? `Saved profile 'default' in ${path} (mode 0600). Commands now go to ${url}; --local runs one in-process.`
        : `Saved profile '${profile}' in ${path} (mode 0600). Use it with --profile ${profile} or SLUICE_PROFILE=${profile}.`,
    );
  }
  return 0;
}
