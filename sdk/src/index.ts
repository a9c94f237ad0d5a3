/**
 * @sluice/sdk: a typed client of the Sluice API (Adobe Flow Service, Catalog, Conversion, Sandbox
 * Management, Query and Data Access shapes), on openapi-fetch with the types generated from
 * /openapi.json (schema.d.ts). Every call sends the four gateway headers; none is put in a URL.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema.d.ts';

export type { paths, components } from './schema.d.ts';

export interface SluiceCredentials {
  /** The access token (slt_…), sent as Authorization: Bearer. */
  readonly accessToken: string;
  /** The API key (slk_…), sent as x-api-key. */
  readonly apiKey: string;
  /** The organization id (…@AdobeOrg), sent as x-gw-ims-org-id. */
  readonly orgId: string;
  /** The sandbox name, sent as x-sandbox-name (default prod). */
  readonly sandboxName?: string;
}

export interface SluiceClientOptions {
  /** The server's origin, e.g. http://127.0.0.1:8080; '' for the page's own origin (the UI). */
  readonly baseUrl: string;
  readonly credentials: SluiceCredentials | (() => SluiceCredentials);
  readonly fetch?: typeof globalThis.fetch;
}

export type SluiceClient = Client<paths>;

/** Adobe's problem JSON, as every error of the API is shaped. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly errorMessage: string;
  readonly report: Record<string, unknown>;
}

export const isProblem = (value: unknown): value is Problem =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Problem).title === 'string' &&
  typeof (value as Problem).status === 'number';

/** The code of a problem, e.g. FLOW-1404-412, from its `type` URI. */
export const problemCode = (problem: Problem): string => problem.type.split('/').at(-1) ?? '';

export function gatewayHeaders(credentials: SluiceCredentials): Record<string, string> {
  return {
    authorization: `Bearer ${credentials.accessToken}`,
    'x-api-key': credentials.apiKey,
    'x-gw-ims-org-id': credentials.orgId,
    'x-sandbox-name': credentials.sandboxName ?? 'prod',
  };
}

export function createSluiceClient(options: SluiceClientOptions): SluiceClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const headers: Middleware = {
    onRequest({ request }) {
      const credentials =
        typeof options.credentials === 'function' ? options.credentials() : options.credentials;
      for (const [name, value] of Object.entries(gatewayHeaders(credentials))) {
        if (!request.headers.has(name)) request.headers.set(name, value);
      }
      return request;
    },
  };
  client.use(headers);
  return client;
}
