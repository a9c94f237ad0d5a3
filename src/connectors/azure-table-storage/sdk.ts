/**
 * The seam between the connector and the official SDK (@azure/data-tables). Everything the connector
 * needs from Azure goes through `openAts`, which returns plain data: table names and entities whose
 * properties all carry their EDM type.
 *
 * Guarantees:
 * - every property of a returned entity has an explicit EDM type, including the ones the service leaves
 *   implicit in JSON (Int32, Double, Boolean, String): a number written with a fraction or exponent
 *   (`3.0`) is a Double, an integral one an Int32, exactly as the service's payload format defines;
 * - a page request asks the service for at most `top` entities (`$top`), so reads are bounded by the caller;
 * - `http` endpoints are allowed only because the user wrote `http` in the connection string; https uses
 *   the system roots plus the configured extra CAs, never disabled verification.
 */
import { rootCertificates } from 'node:tls';
import {
  AzureNamedKeyCredential,
  AzureSASCredential,
  TableClient,
  TableServiceClient,
  type TableServiceClientOptions,
} from '@azure/data-tables';
import type { ParsedConnectionString } from './connection-string.ts';

export type EdmType = 'String' | 'Int32' | 'Int64' | 'Double' | 'Boolean' | 'DateTime' | 'Guid' | 'Binary';

export interface EdmValue {
  readonly type: EdmType;
  /** The service's text for the value: digits for Int64, ISO text for DateTime, base64 for Binary. */
  readonly value: string;
}

/** An entity keyed by property name, with `PartitionKey`, `RowKey` and `Timestamp` under those names. */
export type RawEntity = ReadonlyMap<string, EdmValue>;

export interface EntityPage {
  readonly entities: readonly RawEntity[];
  readonly continuationToken?: string;
}

export interface TablePage {
  readonly names: readonly string[];
  readonly continuationToken?: string;
}

export interface AtsClientOptions {
  readonly extraCaCerts: readonly string[];
  /** Retries of a failed request (network errors, 5xx); 0 for connection tests so failures are immediate. */
  readonly maxRetries: number;
  /** Observes every entity page the service returned (tests use it to prove reads are bounded). */
  readonly onEntityPage?: (entities: number) => void;
}

export interface Ats {
  listTablesPage(request: {
    top: number;
    continuationToken?: string;
    signal: AbortSignal;
  }): Promise<TablePage>;
  queryEntitiesPage(
    table: string,
    request: { filter?: string; top: number; continuationToken?: string; signal: AbortSignal },
  ): Promise<EntityPage>;
}

const EDM_TYPES = new Set<string>([
  'String',
  'Int32',
  'Int64',
  'Double',
  'Boolean',
  'DateTime',
  'Guid',
  'Binary',
]);

export function openAts(connection: ParsedConnectionString, options: AtsClientOptions): Ats {
  const { credential: cred } = connection;
  const credential =
    cred.kind === 'key'
      ? new AzureNamedKeyCredential(cred.accountName, cred.accountKey)
      : new AzureSASCredential(cred.sas.token);
  const clientOptions: TableServiceClientOptions = {
    allowInsecureConnection: connection.protocol === 'http',
    retryOptions: { maxRetries: options.maxRetries, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
    additionalPolicies: [{ policy: explicitEdmTypesPolicy, position: 'perRetry' }],
    ...(options.extraCaCerts.length === 0
      ? {}
      : { tlsOptions: { ca: [...rootCertificates, ...options.extraCaCerts] } }),
  };
  const service =
    credential instanceof AzureNamedKeyCredential
      ? new TableServiceClient(connection.endpoint, credential, clientOptions)
      : new TableServiceClient(connection.endpoint, credential, clientOptions);
  const tables = new Map<string, TableClient>();
  const tableClient = (name: string): TableClient => {
    let client = tables.get(name);
    if (client === undefined) {
      client =
        credential instanceof AzureNamedKeyCredential
          ? new TableClient(connection.endpoint, name, credential, clientOptions)
          : new TableClient(connection.endpoint, name, credential, clientOptions);
      tables.set(name, client);
    }
    return client;
  };

  return {
    async listTablesPage({ top, continuationToken, signal }) {
      const pages = service
        .listTables({ abortSignal: signal })
        .byPage({ maxPageSize: top, ...(continuationToken === undefined ? {} : { continuationToken }) });
      const next: IteratorResult<unknown> = await pages.next();
      const page = (next.value ?? []) as { name?: string }[] & { continuationToken?: string };
      return {
        names: page.map((t) => t.name ?? '').filter((n) => n !== ''),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      };
    },

    async queryEntitiesPage(table, { filter, top, continuationToken, signal }) {
      const pages = tableClient(table)
        .listEntities({
          abortSignal: signal,
          disableTypeConversion: true,
          ...(filter === undefined ? {} : { queryOptions: { filter } }),
        })
        .byPage({ maxPageSize: top, ...(continuationToken === undefined ? {} : { continuationToken }) });
      const next: IteratorResult<unknown> = await pages.next();
      const page = (next.value ?? []) as Record<string, unknown>[] & { continuationToken?: string };
      options.onEntityPage?.(page.length);
      return {
        entities: page.map(toRawEntity),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      };
    },
  };
}

/** SDK entities (type conversion disabled) → EDM-typed maps under the service's own property names. */
function toRawEntity(entity: Record<string, unknown>): RawEntity {
  const result = new Map<string, EdmValue>();
  for (const [key, value] of Object.entries(entity)) {
    if (key === 'etag' || key.startsWith('odata.')) continue;
    if (key === 'partitionKey' || key === 'rowKey') {
      result.set(key === 'partitionKey' ? 'PartitionKey' : 'RowKey', {
        type: 'String',
        value: String(value),
      });
    } else if (key === 'timestamp') {
      const text = typeof value === 'object' && value !== null ? (value as { value?: unknown }).value : value;
      result.set('Timestamp', { type: 'DateTime', value: String(text) });
    } else if (typeof value === 'object' && value !== null) {
      const typed = value as { type?: unknown; value?: unknown };
      const type =
        typeof typed.type === 'string' && EDM_TYPES.has(typed.type) ? (typed.type as EdmType) : 'String';
      result.set(key, { type, value: String(typed.value) });
    } else {
      result.set(key, { type: 'String', value: String(value) });
    }
  }
  return result;
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

/**
 * The JSON payload leaves Int32, Double, Boolean and String implicit and the SDK then guesses Double vs
 * Int32 from the parsed number, so `3.0` (a Double) would look like an Int32. This policy reads the
 * number's source text (JSON.parse source access) and writes the annotation the service implied.
 */
/**
 * The number tokens whose type the SDK could guess wrongly: the SDK calls every safe integer Int32, so only
 * a number written with a point of zeros (`3.0`), with an exponent (`1e3`) or with ten digits or more (beyond
 * Int32) can differ from the service's meaning. A number value sits between a `:` (entities hold no arrays)
 * and a `,` or `}`; text inside a string that looks so only costs the slow path, never a wrong type.
 */
const AMBIGUOUS_NUMBER = /:\s*-?(?:\d+\.0+|\d+(?:\.\d+)?[eE][+-]?\d+|\d{10,})\s*[,}\]]/;

/** False when no number in `body` can be typed differently by the SDK than by the service's rule. */
export const hasAmbiguousNumbers = (body: string): boolean => AMBIGUOUS_NUMBER.test(body);

const explicitEdmTypesPolicy: PipelinePolicy = {
  name: 'sluiceExplicitEdmTypes',
  async sendRequest(request, next) {
    const response = await next(request);
    const body = response.bodyAsText;
    if (typeof body !== 'string' || !(response.headers.get('content-type') ?? '').includes('json'))
      return response;
    // The common page (no such number) is left to the SDK's one parse.
    if (!hasAmbiguousNumbers(body)) return response;
    // The number's text, per holder object and key; the parsed values themselves are left unchanged.
    const sources = new WeakMap<object, Map<string, string>>();
    const reviver: Reviver = function (key, value, context) {
      if (
        typeof value === 'number' &&
        context?.source !== undefined &&
        typeof this === 'object' &&
        this !== null
      ) {
        let keys = sources.get(this);
        if (keys === undefined) sources.set(this, (keys = new Map<string, string>()));
        keys.set(key, context.source);
      }
      return value;
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body, reviver as Parameters<typeof JSON.parse>[1]);
    } catch {
      return response;
    }
    const entities = (parsed as { value?: unknown } | null)?.value;
    const list: unknown[] = Array.isArray(entities) ? (entities as unknown[]) : [parsed];
    for (const entity of list) {
      if (typeof entity !== 'object' || entity === null) continue;
      const record = entity as Record<string, unknown>;
      for (const [key, source] of sources.get(entity) ?? []) {
        if (`${key}@odata.type` in record) continue;
        const number = Number(source);
        const integral = /^-?\d+$/.test(source) && number >= -2_147_483_648 && number <= 2_147_483_647;
        record[`${key}@odata.type`] = integral ? 'Edm.Int32' : 'Edm.Double';
      }
    }
    response.bodyAsText = JSON.stringify(parsed);
    return response;
  },
};
