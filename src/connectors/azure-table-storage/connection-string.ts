/**
 * Parses every Azure Storage connection-string form a user may paste (account key, SAS, development
 * storage) into an endpoint and a credential. Keys are case-insensitive; whitespace, a trailing `;` and
 * quotes around the whole string or a value are tolerated.
 *
 * Guarantee: a problem message names the part that is wrong and never contains the AccountKey or the
 * SharedAccessSignature (nor any value a secret may have been pasted into by mistake).
 */

/** Azurite's well-known development account (public, documented by Microsoft). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface SasInfo {
  /** The token without a leading `?`. Secret. */
  readonly token: string;
  /** `ss` of an account SAS (services, `t` = table); undefined for a table (service) SAS. */
  readonly services?: string;
  /** `srt` of an account SAS (`s` service, `c` container, `o` object). */
  readonly resourceTypes?: string;
  /** `sp`: permissions (`r` read/query, `l` list, `a` add, `u` update, `d` delete...). */
  readonly permissions: string;
  readonly start?: Date;
  readonly expiry?: Date;
  /** `tn` of a table SAS: the one table it grants access to. */
  readonly tableName?: string;
}

export type Credential =
  | { readonly kind: 'key'; readonly accountName: string; readonly accountKey: string }
  | { readonly kind: 'sas'; readonly sas: SasInfo };

export interface ParsedConnectionString {
  /** The table service endpoint, e.g. `https://acct.table.core.windows.net` or Azurite's path-style URL. */
  readonly endpoint: string;
  readonly protocol: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly credential: Credential;
}

export type ParseResult =
  | { readonly ok: true; readonly value: ParsedConnectionString }
  | { readonly ok: false; readonly message: string };

/** Every key Azure's connection strings use; others are reported as typos. */
const KNOWN_KEYS = new Map(
  [
    'DefaultEndpointsProtocol',
    'AccountName',
    'AccountKey',
    'EndpointSuffix',
    'TableEndpoint',
    'SharedAccessSignature',
    'UseDevelopmentStorage',
    'DevelopmentStorageProxyUri',
    'BlobEndpoint',
    'QueueEndpoint',
    'FileEndpoint',
    'BlobSecondaryEndpoint',
    'QueueSecondaryEndpoint',
    'TableSecondaryEndpoint',
    'FileSecondaryEndpoint',
  ].map((k) => [k.toLowerCase(), k]),
);

const unquote = (text: string): string => {
  const t = text.trim();
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0] ? t.slice(1, -1).trim() : t;
};

const fail = (message: string): ParseResult => ({ ok: false, message });

const HINT =
  'Expected e.g. DefaultEndpointsProtocol=https;AccountName=<account>;AccountKey=<key>;EndpointSuffix=core.windows.net, ' +
  'or TableEndpoint=https://<account>.table.core.windows.net;SharedAccessSignature=<sas>, or UseDevelopmentStorage=true.';

export function parseConnectionString(input: unknown): ParseResult {
  if (typeof input !== 'string' || unquote(input) === '') {
    return fail(`The connection string is empty. ${HINT}`);
  }
  const text = unquote(input);
  if (/^https?:\/\//i.test(text)) {
    return fail(
      'The connection string is a URL. Paste the storage account connection string instead, or write the URL as ' +
        'TableEndpoint=<url>;SharedAccessSignature=<sas>.',
    );
  }
  const parts = new Map<string, string>();
  const pieces = text.split(';');
  for (const [index, piece] of pieces.entries()) {
    if (piece.trim() === '') continue;
    const eq = piece.indexOf('=');
    if (eq <= 0) {
      return fail(
        `Part ${index + 1} of the connection string is not of the form Key=Value (parts are separated by ";"). ${HINT}`,
      );
    }
    const rawKey = unquote(piece.slice(0, eq));
    const key = KNOWN_KEYS.get(rawKey.toLowerCase());
    if (key === undefined) {
      // Only a short word is quoted back: anything else may be a pasted secret.
      const shown = /^[A-Za-z]{1,40}$/.test(rawKey) ? `"${rawKey}"` : `in part ${index + 1} (not shown)`;
      return fail(
        `Unknown key ${shown} in the connection string; known keys: ${[...KNOWN_KEYS.values()].join(', ')}.`,
      );
    }
    if (parts.has(key)) return fail(`The connection string sets ${key} more than once.`);
    parts.set(key, unquote(piece.slice(eq + 1)));
  }
  if (parts.size === 0) return fail(`The connection string has no Key=Value parts. ${HINT}`);

  const devStorage = parts.get('UseDevelopmentStorage');
  if (devStorage !== undefined) {
    if (devStorage.toLowerCase() !== 'true')
      return fail('UseDevelopmentStorage must be "true" when present.');
    return developmentStorage(parts.get('DevelopmentStorageProxyUri'));
  }
  return accountConnection(parts);
}

function developmentStorage(proxy: string | undefined): ParseResult {
  let base = 'http://127.0.0.1';
  if (proxy !== undefined) {
    const url = safeUrl(proxy);
    if (url === undefined) return fail('DevelopmentStorageProxyUri is not an http(s) URL.');
    base = `${url.protocol}//${url.hostname}`;
  }
  return endpointResult(`${base}:10002/${DEV_ACCOUNT}`, 'TableEndpoint', {
    kind: 'key',
    accountName: DEV_ACCOUNT,
    accountKey: DEV_KEY,
  });
}

function accountConnection(parts: ReadonlyMap<string, string>): ParseResult {
  const accountName = parts.get('AccountName');
  // Keys and SAS tokens never contain whitespace, so a line break from copying is removed, not reported.
  const accountKey = parts.get('AccountKey')?.replace(/\s+/g, '');
  const sasText = parts.get('SharedAccessSignature')?.replace(/\s+/g, '');
  if (accountName !== undefined && !/^[a-z0-9]{3,24}$/.test(accountName)) {
    const shown = accountName.length <= 24 ? `"${accountName}"` : `(${accountName.length} characters)`;
    return fail(`AccountName ${shown} is not a storage account name (3-24 lowercase letters and digits).`);
  }
  if (accountKey !== undefined && sasText !== undefined) {
    return fail(
      'The connection string has both AccountKey and SharedAccessSignature; keep only one of them.',
    );
  }
  if (accountKey === undefined && sasText === undefined) {
    return fail(
      `The connection string has no credential: add AccountKey=<key> or SharedAccessSignature=<sas>. ${HINT}`,
    );
  }

  let credential: Credential;
  if (accountKey !== undefined) {
    if (accountName === undefined) return fail('AccountName is required with AccountKey.');
    const problem = checkAccountKey(accountKey);
    if (problem !== undefined) return fail(problem);
    credential = { kind: 'key', accountName, accountKey };
  } else {
    const sas = parseSas(sasText ?? '');
    if (typeof sas === 'string') return fail(sas);
    credential = { kind: 'sas', sas };
  }

  const tableEndpoint = parts.get('TableEndpoint');
  if (tableEndpoint !== undefined) return endpointResult(tableEndpoint, 'TableEndpoint', credential);
  if (accountName === undefined) {
    return fail(
      'The connection string needs AccountName (or TableEndpoint) to know which storage account to use.',
    );
  }
  const protocol = (parts.get('DefaultEndpointsProtocol') ?? 'https').toLowerCase();
  if (protocol !== 'https' && protocol !== 'http')
    return fail('DefaultEndpointsProtocol must be "https" or "http".');
  const suffix = (parts.get('EndpointSuffix') ?? 'core.windows.net').replace(/^\.+|\/+$/g, '');
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(suffix)) {
    return fail('EndpointSuffix must be a DNS suffix such as core.windows.net.');
  }
  return endpointResult(`${protocol}://${accountName}.table.${suffix}`, 'EndpointSuffix', credential);
}

/** AccountKeys are base64 of 64 random bytes (88 characters); we only require valid base64. */
function checkAccountKey(key: string): string | undefined {
  if (key === '') return 'AccountKey is empty.';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
    return (
      `AccountKey is not valid base64 (${key.length} characters; an Azure key is 88 characters of A-Z, a-z, 0-9, +, / ` +
      'ending in "=="). Copy key1 or key2 again from the storage account\'s "Access keys" page.'
    );
  }
  return undefined;
}

const SAS_SERVICE_PERMISSIONS = /^[rwdlacuptfxyi]+$/;

/** Reads the fields of a SAS token that Sluice can check before calling Azure. Returns a problem text on error. */
export function parseSas(text: string): SasInfo | string {
  const token = text.trim().replace(/^\?/, '');
  if (token === '') return 'SharedAccessSignature is empty.';
  const params = new URLSearchParams(token);
  if (!params.has('sig')) return 'SharedAccessSignature has no sig= field; copy the whole SAS token.';
  if (!params.has('sv')) return 'SharedAccessSignature has no sv= (version) field; copy the whole SAS token.';
  const permissions = params.get('sp') ?? '';
  if (permissions === '' && !params.has('si')) {
    return 'SharedAccessSignature has no sp= (permissions) field; copy the whole SAS token.';
  }
  if (permissions !== '' && !SAS_SERVICE_PERMISSIONS.test(permissions)) {
    return 'SharedAccessSignature has an sp= (permissions) field Azure does not define.';
  }
  const dates: { start?: Date; expiry?: Date } = {};
  for (const [field, name] of [
    ['st', 'start'],
    ['se', 'expiry'],
  ] as const) {
    const value = params.get(field);
    if (value === null) continue;
    const date = new Date(value);
    if (Number.isNaN(date.getTime()))
      return `SharedAccessSignature has an unreadable ${field}= (${name}) time.`;
    dates[name] = date;
  }
  const services = params.get('ss') ?? undefined;
  const resourceTypes = params.get('srt') ?? undefined;
  const tableName = params.get('tn') ?? undefined;
  return {
    token,
    permissions,
    ...dates,
    ...(services === undefined ? {} : { services }),
    ...(resourceTypes === undefined ? {} : { resourceTypes }),
    ...(tableName === undefined ? {} : { tableName }),
  };
}

function safeUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function endpointResult(endpointText: string, source: string, credential: Credential): ParseResult {
  const url = safeUrl(endpointText);
  if (url === undefined) {
    return fail(
      `${source} does not give a valid http(s) endpoint (e.g. https://<account>.table.core.windows.net).`,
    );
  }
  if (url.search !== '' || url.username !== '' || url.password !== '') {
    return fail(
      `${source} must be a plain endpoint URL without a query or user info; put a SAS in SharedAccessSignature=.`,
    );
  }
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const endpoint = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { ok: true, value: { endpoint, protocol, host, port, credential } };
}
