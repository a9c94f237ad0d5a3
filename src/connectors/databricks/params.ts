/**
 * The auth params of a Databricks connection, parsed once into a `Workspace`. `domain` must be the bare
 * https URL of a workspace: a path, a query, a fragment or credentials in the URL are refused because
 * Sluice derives every endpoint (REST and SQL) from the origin alone, and a URL with user info would carry
 * a secret into logs.
 */
import type { AuthParams } from '../connector.ts';

export interface Workspace {
  /** `https://host[:port]`, no trailing slash. */
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  /** The `{orgId}` of `/sql/protocolv1/o/{orgId}/{clusterId}`: from `adb-<id>.<n>.azuredatabricks.net`, else `0`. */
  readonly workspaceId: string;
  readonly clusterId: string;
  readonly token: string;
  readonly database: string;
  readonly catalog?: string;
}

/** A parse failure: the message names the field and what to change, never the token. */
export class ParamsError extends Error {
  override readonly name = 'ParamsError';
}

const AZURE_HOST = /^adb-(\d+)\.\d+\.azuredatabricks\.net$/i;

const text = (params: AuthParams, key: string, required: boolean): string | undefined => {
  const value = params[key];
  if (value === undefined || value === null || value === '') {
    if (required) throw new ParamsError(`The "${key}" parameter is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw new ParamsError(`The "${key}" parameter must be a string.`);
  const trimmed = value.trim();
  if (trimmed === '' && required) throw new ParamsError(`The "${key}" parameter must not be blank.`);
  return trimmed;
};

const EXAMPLE = 'https://adb-1234567890123456.7.azuredatabricks.net';

/** Parses `domain` into origin, host, port and workspace id. */
export const parseDomain = (domain: string): Pick<Workspace, 'origin' | 'host' | 'port' | 'workspaceId'> => {
  let url: URL;
  try {
    url = new URL(domain);
  } catch {
    throw new ParamsError(`The domain is not a URL; use the workspace URL, e.g. ${EXAMPLE}.`);
  }
  if (url.protocol === 'http:') {
    throw new ParamsError(
      `The domain must use https (Databricks workspaces only accept TLS); use e.g. ${EXAMPLE}.`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new ParamsError(`The domain must be an https URL of a Databricks workspace, e.g. ${EXAMPLE}.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ParamsError(
      'The domain must not contain credentials (user:password@); put the access token in "accessToken".',
    );
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    throw new ParamsError(
      `The domain must be the workspace URL without a path (got path "${url.pathname}"); use e.g. ${EXAMPLE}.`,
    );
  }
  if (url.search !== '' || url.hash !== '' || domain.includes('?') || domain.includes('#')) {
    throw new ParamsError(`The domain must not have a query or fragment; use e.g. ${EXAMPLE}.`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 443 : Number(url.port);
  const id = AZURE_HOST.exec(host)?.[1];
  return { origin: url.origin, host, port, workspaceId: id ?? '0' };
};

export const parseWorkspace = (params: AuthParams): Workspace => {
  const domain = text(params, 'domain', true) ?? '';
  const clusterId = text(params, 'clusterId', true) ?? '';
  if (!/^[A-Za-z0-9._-]+$/.test(clusterId)) {
    throw new ParamsError(
      'The clusterId may only contain letters, digits, ".", "_" and "-" (e.g. 0123-456789-abcdefgh).',
    );
  }
  const token = text(params, 'accessToken', true) ?? '';
  const database = text(params, 'database', true) ?? '';
  const catalog = text(params, 'catalog', false);
  return {
    ...parseDomain(domain),
    clusterId,
    token,
    database,
    ...(catalog === undefined ? {} : { catalog }),
  };
};

export const sqlPath = (workspace: Workspace): string =>
  `/sql/protocolv1/o/${workspace.workspaceId}/${workspace.clusterId}`;
