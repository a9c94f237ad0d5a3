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
  // Entity pages the policy parsed, by the request they answer, until queryEntitiesPage takes them.
  const parsedPages = new WeakMap<object, RawEntity[]>();
  const clientOptions: TableServiceClientOptions = {
    allowInsecureConnection: connection.protocol === 'http',
    retryOptions: { maxRetries: options.maxRetries, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
    additionalPolicies: [{ policy: entityPagesPolicy(parsedPages), position: 'perRetry' }],
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
      let parsed: RawEntity[] | undefined;
      const pages = tableClient(table)
        .listEntities({
          abortSignal: signal,
          disableTypeConversion: true,
          onResponse: (response) => {
            parsed = parsedPages.get(response.request);
          },
          ...(filter === undefined ? {} : { queryOptions: { filter } }),
        })
        .byPage({ maxPageSize: top, ...(continuationToken === undefined ? {} : { continuationToken }) });
      const next: IteratorResult<unknown> = await pages.next();
      const page = (next.value ?? []) as Record<string, unknown>[] & { continuationToken?: string };
      // The policy parsed the page and left the SDK an empty one (continuation headers intact).
      if (parsed === undefined && page.length > 0)
        throw new Error('The service answered an entity query with a body that is not an entity page.');
      const entities = parsed ?? [];
      options.onEntityPage?.(entities.length);
      return {
        entities,
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      };
    },
  };
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

/**
 * The number tokens whose type the SDK could guess wrongly: the SDK calls every safe integer Int32, so only
 * a number written with a point of zeros (`3.0`), with an exponent (`1e3`) or with ten digits or more (beyond
 * Int32) can differ from the service's meaning. A number value sits between a `:` (entities hold no arrays)
 * and a `,` or `}`; text inside a string that looks so only costs the slow path, never a wrong type.
 */
const AMBIGUOUS_NUMBER = /:\s*-?(?:\d+\.0+|\d+(?:\.\d+)?[eE][+-]?\d+|\d{10,})\s*[,}\]]/;

/** False when no number in `body` can be typed differently by the SDK than by the service's rule. */
export const hasAmbiguousNumbers = (body: string): boolean => AMBIGUOUS_NUMBER.test(body);

/** The service's type of an unannotated number, from its text: integral within Int32's range, or Double. */
function numberType(source: string): EdmType {
  const number = Number(source);
  return /^-?\d+$/.test(source) && number >= -2_147_483_648 && number <= 2_147_483_647 ? 'Int32' : 'Double';
}

/** The EDM type of an unannotated JSON value (the payload leaves Int32, Double, Boolean and String implicit). */
function implicitType(value: unknown, source: string | undefined): EdmType {
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value !== 'number') return 'String';
  if (source !== undefined) return numberType(source);
  return Number.isSafeInteger(value) ? 'Int32' : 'Double';
}

function annotatedType(annotation: unknown): EdmType {
  const name = typeof annotation === 'string' && annotation.startsWith('Edm.') ? annotation.slice(4) : '';
  return EDM_TYPES.has(name) ? (name as EdmType) : 'String';
}

/** One entity of the service's JSON → its EDM-typed properties (keys and metadata handled as the SDK does). */
function entityOf(
  record: Record<string, unknown>,
  numberSources: Map<string, string> | undefined,
): RawEntity {
  const entity = new Map<string, EdmValue>();
  for (const key in record) {
    if (key.startsWith('odata.') || key.includes('@odata.type')) continue;
    const value = record[key];
    let type: EdmType;
    if (key === 'PartitionKey' || key === 'RowKey') type = 'String';
    else if (key === 'Timestamp') type = 'DateTime';
    else {
      const annotation = record[`${key}@odata.type`];
      type =
        annotation === undefined ? implicitType(value, numberSources?.get(key)) : annotatedType(annotation);
    }
    entity.set(key, { type, value: String(value) });
  }
  return entity;
}

/** A JSON.parse reviver that records each number's source text, per holder object and key. */
function sourceRecorder(sources: WeakMap<object, Map<string, string>>): Parameters<typeof JSON.parse>[1] {
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
  return reviver as Parameters<typeof JSON.parse>[1];
}

/**
 * An entity page as the service sends it (`{"value":[…]}`, minimal metadata) → EDM-typed entities, in one
 * JSON parse; undefined when the text is not such a page. Where a number's type could be misread from its
 * parsed value (`hasAmbiguousNumbers`), its source text decides (JSON.parse source access).
 */
export function parseEntityPage(body: string): RawEntity[] | undefined {
  const sources = hasAmbiguousNumbers(body) ? new WeakMap<object, Map<string, string>>() : undefined;
  let parsed: unknown;
  try {
    parsed = sources === undefined ? JSON.parse(body) : JSON.parse(body, sourceRecorder(sources));
  } catch {
    return undefined;
  }
  const list = (parsed as { value?: unknown } | null)?.value;
  if (!Array.isArray(list)) return undefined;
  const entities: RawEntity[] = [];
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
    entities.push(entityOf(item as Record<string, unknown>, sources?.get(item)));
  }
  return entities;
}

const EMPTY_PAGE = '{"value":[]}';

/**
 * Entity pages are parsed here, once, straight into EDM-typed entities, and the SDK is handed an empty page
 * (its own deserialisation walks every property twice and was half of a read's CPU: docs/benchmarks.md).
 * The SDK still builds, signs, retries and sends the request and reads the continuation headers. A query of
 * entities is a GET of `/{table}()`; every other answer passes untouched.
 */
function entityPagesPolicy(parsedPages: WeakMap<object, RawEntity[]>): PipelinePolicy {
  return {
    name: 'sluiceEntityPages',
    async sendRequest(request, next) {
      const response = await next(request);
      const body = response.bodyAsText;
      if (
        request.method !== 'GET' ||
        response.status !== 200 ||
        typeof body !== 'string' ||
        !(response.headers.get('content-type') ?? '').includes('json') ||
        !new URL(request.url).pathname.endsWith('()')
      )
        return response;
      const entities = parseEntityPage(body);
      if (entities === undefined) return response;
      parsedPages.set(request, entities);
      response.bodyAsText = EMPTY_PAGE;
      return response;
    },
  };
}
