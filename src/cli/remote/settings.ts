/**
 * Where a remote command goes and with which credentials. Each setting is taken from, in this order:
 * a flag (`--url`, `--org`, `--sandbox`), the environment (`SLUICE_URL`, `SLUICE_ACCESS_TOKEN`,
 * `SLUICE_API_KEY`, `SLUICE_ORG_ID`, `SLUICE_SANDBOX_NAME`), then the profile `sluice login` saved
 * (`--profile NAME` or `SLUICE_PROFILE`, default `default`). A profile's credentials go only to that
 * profile's own URL: with another URL from a flag or the environment they are not used, so a token is
 * never sent to a server it was not saved for.
 *
 * The profile file (`SLUICE_PROFILE_FILE`, default `~/.config/sluice/profiles.json`) holds tokens, so it
 * is written with mode 0600 and refused when its group or others may read it.
 */
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError } from '../../domain/errors.ts';

export interface RemoteSettings {
  /** The server's origin (and path prefix, if any), without a trailing slash. */
  readonly url: string;
  readonly accessToken: string;
  readonly apiKey: string;
  readonly orgId: string;
  readonly sandboxName: string;
}

export interface Profile {
  readonly url: string;
  readonly accessToken: string;
  readonly apiKey: string;
  readonly orgId: string;
  readonly sandboxName?: string;
}

interface ProfileFile {
  readonly profiles: Readonly<Record<string, Profile>>;
}

type Env = Readonly<Record<string, string | undefined>>;
type Flags = Readonly<Record<string, string | boolean | undefined>>;

export const profileFilePath = (env: Env): string =>
  env['SLUICE_PROFILE_FILE'] ?? join(env['HOME'] ?? homedir(), '.config', 'sluice', 'profiles.json');

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** `slt_<id>_********`: the token's public id, never its secret part. */
export function maskToken(token: string): string {
  const prefix = /^(sl[tk]_[A-Za-z0-9]+_)/.exec(token)?.[1];
  return `${prefix ?? ''}********`;
}

/** An http(s) URL without a trailing slash; anything else is refused without echoing it whole. */
export function normaliseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('CLI-1004-400', 'The server URL is not a URL: give it as http://host:port.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('CLI-1004-400', 'The server URL must start with http:// or https://.');
  if (url.username !== '' || url.password !== '')
    throw new AppError(
      'CLI-1004-400',
      'The server URL must not carry credentials; use a profile or SLUICE_*.',
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

const isProfile = (value: unknown): value is Profile => {
  const p = value as Partial<Profile> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.url === 'string' &&
    typeof p.accessToken === 'string' &&
    typeof p.apiKey === 'string' &&
    typeof p.orgId === 'string'
  );
};

/** The profiles of the file, {} when it does not exist; refused when others may read it. */
export async function readProfiles(path: string): Promise<Record<string, Profile>> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new AppError('CLI-1004-400', `Cannot read the profile file ${path}: ${(error as Error).message}`);
  }
  if ((mode & 0o077) !== 0)
    throw new AppError(
      'CLI-1005-403',
      `The profile file ${path} is open to its group or others (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); it holds access tokens. Run: chmod 600 ${path}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new AppError(
      'CLI-1004-400',
      `The profile file ${path} is not valid JSON; remove it and log in again.`,
    );
  }
  const profiles: unknown = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null) return {};
  return Object.fromEntries(Object.entries(profiles).filter((entry) => isProfile(entry[1])));
}

/** Rewrites the file (mode 0600, its folder 0700) with `profile` under `name`, or without `name`. */
export async function writeProfile(
  path: string,
  name: string,
  profile: Profile | undefined,
): Promise<boolean> {
  const profiles = await readProfiles(path);
  const existed = name in profiles;
  const next: Record<string, Profile> = Object.fromEntries(
    Object.entries(profiles).filter(([key]) => key !== name),
  );
  if (profile !== undefined) next[name] = profile;
  if (profile === undefined && !existed) return false;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const document: ProfileFile = { profiles: next };
  await writeFile(temp, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600); // the umask may have narrowed it, never widened; make it exact
  await rename(temp, path);
  return true;
}

/**
 * The remote settings of a command, or undefined for the in-process mode (no URL from a flag, the
 * environment or a profile; or `--local`).
 */
export async function resolveRemote(flags: Flags, env: Env): Promise<RemoteSettings | undefined> {
  if (flags['local'] === true) return undefined;
  const flagUrl = text(flags['url']) ?? text(env['SLUICE_URL']);
  const named = text(flags['profile']) ?? text(env['SLUICE_PROFILE']);
  const given = {
    accessToken: text(env['SLUICE_ACCESS_TOKEN']),
    apiKey: text(env['SLUICE_API_KEY']),
    orgId: text(flags['org']) ?? text(env['SLUICE_ORG_ID']),
  };
  const complete = given.accessToken !== undefined && given.apiKey !== undefined && given.orgId !== undefined;
  let profile: Profile | undefined;
  if (named !== undefined || flagUrl === undefined || !complete) {
    const path = profileFilePath(env);
    profile = (await readProfiles(path))[named ?? 'default'];
    if (profile === undefined && named !== undefined)
      throw new AppError(
        'CLI-1004-400',
        `There is no profile '${named}' in ${path}; create it with: sluice login --url URL --token T --api-key K --org O --profile ${named}`,
      );
  }
  const url =
    flagUrl !== undefined
      ? normaliseUrl(flagUrl)
      : profile === undefined
        ? undefined
        : normaliseUrl(profile.url);
  if (url === undefined) return undefined;
  // A profile's credentials belong to its URL only.
  const saved = profile !== undefined && normaliseUrl(profile.url) === url ? profile : undefined;
  const settings = {
    url,
    accessToken: given.accessToken ?? saved?.accessToken,
    apiKey: given.apiKey ?? saved?.apiKey,
    orgId: given.orgId ?? saved?.orgId,
    sandboxName: text(flags['sandbox']) ?? text(env['SLUICE_SANDBOX_NAME']) ?? saved?.sandboxName ?? 'prod',
  };
  const missing = [
    settings.accessToken === undefined ? 'SLUICE_ACCESS_TOKEN' : undefined,
    settings.apiKey === undefined ? 'SLUICE_API_KEY' : undefined,
    settings.orgId === undefined ? 'SLUICE_ORG_ID (or --org)' : undefined,
  ].filter((name) => name !== undefined);
  if (settings.accessToken === undefined || settings.apiKey === undefined || settings.orgId === undefined)
    throw new AppError(
      'CLI-1004-400',
      `Calling ${url} needs ${missing.join(', ')}: set ${missing.length === 1 ? 'it' : 'them'}, or save a profile with \`sluice login --url ${url} --token T --api-key K --org O\`.`,
    );
  return {
    url,
    accessToken: settings.accessToken,
    apiKey: settings.apiKey,
    orgId: settings.orgId,
    sandboxName: settings.sandboxName,
  };
}
