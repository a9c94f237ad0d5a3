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
  /** The JSON number or boolean the service sent, when it sent one (`value` is its text). */
  readonly native?: number | boolean;
}

/** An entity keyed by property name, with `PartitionKey`, `RowKey` and `Timestamp` under those names. */
export type RawEntity = ReadonlyMap<string, EdmValue>;

export interface EntityPage {
  readonly entities: readonly RawEntity[];
  /** The size of the page as the service sent it (JSON text, UTF-16 code units). */
  readonly bytes: number;
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
  const parsedPages = new WeakMap<object, ParsedPage>();
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
      let parsed: ParsedPage | undefined;
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
      const entities = parsed?.entities ?? [];
      options.onEntityPage?.(entities.length);
      return {
        entities,
        bytes: parsed?.bytes ?? 0,
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

const isProperty = (key: string): boolean => !key.startsWith('odata.') && !key.includes('@odata.type');

/**
 * One entity of the service's JSON, read as its EDM-typed properties (keys and metadata handled as the SDK
 * does). A cell is made when it is asked for: a page holds the parsed records and nothing per property, so
 * the garbage of a read stays young and the heap small (docs/benchmarks.md, run 4).
 */
class PageEntity implements ReadonlyMap<string, EdmValue> {
  readonly #record: Record<string, unknown>;
  readonly #numberSources: Map<string, string> | undefined;

  constructor(record: Record<string, unknown>, numberSources: Map<string, string> | undefined) {
    this.#record = record;
    this.#numberSources = numberSources;
  }

  get(key: string): EdmValue | undefined {
    if (!Object.hasOwn(this.#record, key) || !isProperty(key)) return undefined;
    const value = this.#record[key];
    let type: EdmType;
    if (key === 'PartitionKey' || key === 'RowKey') type = 'String';
    else if (key === 'Timestamp') type = 'DateTime';
    else {
      const annotation = this.#record[`${key}@odata.type`];
      type =
        annotation === undefined
          ? implicitType(value, this.#numberSources?.get(key))
          : annotatedType(annotation);
    }
    return typeof value === 'number' || typeof value === 'boolean'
      ? { type, value: String(value), native: value }
      : { type, value: String(value) };
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#record, key) && isProperty(key);
  }

  get size(): number {
    let size = 0;
    for (const key in this.#record) if (isProperty(key)) size += 1;
    return size;
  }

  *keys(): MapIterator<string> {
    for (const key in this.#record) if (isProperty(key)) yield key;
  }

  *entries(): MapIterator<[string, EdmValue]> {
    for (const key of this.keys()) {
      const cell = this.get(key);
      if (cell !== undefined) yield [key, cell];
    }
  }

  *values(): MapIterator<EdmValue> {
    for (const [, cell] of this.entries()) yield cell;
  }

  [Symbol.iterator](): MapIterator<[string, EdmValue]> {
    return this.entries();
  }

  forEach(callback: (value: EdmValue, key: string, map: ReadonlyMap<string, EdmValue>) => void): void {
    for (const [key, cell] of this.entries()) callback(cell, key, this);
  }
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
    entities.push(new PageEntity(item as Record<string, unknown>, sources?.get(item)));
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
interface ParsedPage {
  readonly entities: RawEntity[];
  readonly bytes: number;
}

function entityPagesPolicy(parsedPages: WeakMap<object, ParsedPage>): PipelinePolicy {
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
      parsedPages.set(request, { entities, bytes: body.length });
      response.bodyAsText = EMPTY_PAGE;
      return response;
    },
  };
}
