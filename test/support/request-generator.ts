/**
 * A seeded generator of adversarial requests over Sluice's own `/openapi.json`: every operation, with
 * path ids real and junk (NUL, bad percent-encoding, 5,000 characters, traversal), declared and undeclared
 * query parameters with hostile values, and bodies that start from a valid document (a known-good seed or
 * one sampled from the operation's schema) and get one mutation each (a NUL, an unpaired surrogate, a long
 * or ~900 KB string, 10,000 levels of nesting, a missing or undeclared field holding a secret, a wrong
 * type, a JSON Patch that grows or poisons the entity, invalid JSON, a foreign charset…).
 *
 * Each request carries the markers it must never see echoed: SECRET markers (values of declared and
 * undeclared secret fields) and ECHO markers (inside input Sluice cannot parse). `judge` says what is wrong
 * with an answer: a 5xx, an error that is not catalogued problem JSON, a stack, Fastify's own error shape,
 * or an echoed marker.
 */
import { errorCatalog } from '../../src/domain/error-catalog.ts';

export interface Fixtures {
  readonly connectionId: string;
  readonly sourceConnectionId: string;
  readonly targetConnectionId: string;
  readonly flowId: string;
  readonly datasetId: string;
  readonly batchId: string;
  readonly mappingSetId: string;
  readonly runId?: string;
  /** The domain of a Databricks workspace that refuses connections at once (a closed local port). */
  readonly deadDomain: string;
}

export interface GeneratedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string;
  /** Names of the mutations applied (for the "forms tested" figure). */
  readonly forms: readonly string[];
  /** Strings that must not appear in the answer (secrets; unparseable input). */
  readonly markers: readonly string[];
  /** A PATCH of a real entity: the URL to GET its current etag from, for If-Match. */
  readonly etagFrom?: string;
}

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
  readonly body?: Schema;
}

type Schema = Record<string, unknown>;
type Random = () => number;

/** mulberry32: a tiny seeded PRNG, so a failing pass reproduces from its seed. */
export function seededRandom(seed: number): Random {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export function operationsOf(document: { paths: Record<string, Record<string, Schema>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = (operation['parameters'] ?? []) as { in: string; name: string }[];
      const content = (
        operation['requestBody'] as { content?: Record<string, { schema?: Schema }> } | undefined
      )?.content;
      const body = content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        ...(body === undefined ? {} : { body }),
      });
    }
  }
  return out;
}

const DATABRICKS = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
const ATS = 'ecde33f2-c56f-46cc-bdea-ad151c16cd69';

/** Known-good bodies per operation: mutations of a valid document reach deeper than random ones. */
function seedBody(
  operation: Operation,
  f: Fixtures,
  secret: string,
  pick: <T>(items: readonly T[]) => T,
): unknown {
  const path = operation.path.replace(/^\/data\/foundation\/(flowservice|catalog|conversion)/, '');
  if (operation.method === 'PATCH') {
    return [
      pick([
        { op: 'replace', path: '/name', value: 'renamed' },
        { op: 'add', path: '/description', value: 'd' },
        { op: 'replace', path: '/auth/params/accessToken', value: secret },
        { op: 'add', path: '/auth/params/token', value: secret },
        { op: 'replace', path: '/params/tableName', value: 'acme.customers' },
        { op: 'replace', path: '/scheduleParams/interval', value: 30 },
        { op: 'add', path: '/labels', value: ['a'] },
        { op: 'remove', path: '/description' },
      ]),
    ];
  }
  switch (`${operation.method} ${path}`) {
    case 'POST /connections':
      return pick([
        {
          name: 'fuzz',
          auth: {
            specName: 'Access Token Authentication',
            params: { domain: f.deadDomain, clusterId: 'c-1', accessToken: secret, database: 'acme' },
          },
          connectionSpec: { id: DATABRICKS, version: '1.0' },
        },
        {
          name: 'fuzz',
          auth: { specName: 'Connection String Based Authentication', params: { connectionString: secret } },
          connectionSpec: { id: ATS, version: '1.0' },
        },
      ]);
    case 'POST /sourceConnections':
      return {
        name: 'fuzz source',
        baseConnectionId: f.connectionId,
        data: { format: 'tabular' },
        params: { tableName: 'acme.customers', columns: [{ name: 'id', type: 'long' }] },
        connectionSpec: { id: DATABRICKS, version: '1.0' },
      };
    case 'POST /targetConnections':
      return {
        name: 'fuzz target',
        data: { format: 'parquet_xdm' },
        params: { dataSetId: f.datasetId },
        connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
      };
    case 'POST /flows':
      return {
        name: 'fuzz flow',
        flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' },
        sourceConnectionIds: [f.sourceConnectionId],
        targetConnectionIds: [f.targetConnectionId],
        transformations: [{ name: 'Mapping', params: { mappingId: f.mappingSetId, mappingVersion: 0 } }],
        scheduleParams: { startTime: 1_700_000_000, frequency: 'once' },
      };
    case 'POST /runs':
      return { flowId: f.flowId, params: { windowStartTime: 1_700_000_000, windowEndTime: 1_700_003_600 } };
    case 'POST /dataSets':
      return { name: 'fuzz_ds', schema: { fields: [{ name: 'id', type: 'long' }] } };
    case 'POST /mappingSets':
    case 'POST /mappingSets/validate':
    case 'PUT /mappingSets/{id}':
      return {
        xdmSchema: f.datasetId,
        mappings: [{ sourceType: 'ATTRIBUTE', source: 'id', destination: 'id' }],
      };
    default:
      return undefined;
  }
}

/** A valid-looking instance of a schema (the subset TypeBox emits). */
function sample(schema: Schema | undefined, random: Random, depth = 0): unknown {
  if (schema === undefined || depth > 6) return 'x';
  const union = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  if (union !== undefined && union.length > 0)
    return sample(union[Math.floor(random() * union.length)], random, depth + 1);
  const enumeration = schema['enum'] as unknown[] | undefined;
  if (enumeration !== undefined) return enumeration[0];
  if ('const' in schema) return schema['const'];
  switch (schema['type']) {
    case 'object': {
      const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
      return Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, sample(value, random, depth + 1)]),
      );
    }
    case 'array':
      return [sample(schema['items'] as Schema | undefined, random, depth + 1)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'text';
  }
}

/** Every (parent, key) in a document, so a mutation can land anywhere. */
function slots(value: unknown): { parent: Record<string, unknown> | unknown[]; key: string | number }[] {
  const out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        out.push({ parent: node, key: index });
        walk(child);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        out.push({ parent: node as Record<string, unknown>, key });
        walk(child);
      }
    }
  };
  walk(value);
  return out;
}

/** JSON nested `levels` deep, as text: JSON.stringify itself overflows the stack on 10,000 levels. */
const deepText = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const DEEP = '__DEEP__';

export function createRequestGenerator(
  document: { paths: Record<string, Record<string, Schema>> },
  seed: number,
) {
  const random = seededRandom(seed);
  const operations = operationsOf(document);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let counter = 0;

  return (fixtures: Fixtures, headers: Record<string, string>): GeneratedRequest => {
    counter += 1;
    const secret = `SECRET-${seed}-${counter}`;
    const echo = `ECHO${seed}x${counter}`;
    const forms: string[] = [];
    const markers: string[] = [secret];
    const operation = pick(operations);
    forms.push(`${operation.method} ${operation.path}`);

    // Path ids: the real fixture of the resource, or a hostile one.
    const realId = (): string => {
      if (operation.path.includes('/batches/')) return fixtures.batchId;
      if (operation.path.includes('/dataSets/')) return fixtures.datasetId;
      if (operation.path.includes('/mappingSets/')) return fixtures.mappingSetId;
      if (operation.path.includes('/sourceConnections/')) return fixtures.sourceConnectionId;
      if (operation.path.includes('/targetConnections/')) return fixtures.targetConnectionId;
      if (operation.path.includes('/flows/')) return fixtures.flowId;
      if (operation.path.includes('/runs/')) return fixtures.runId ?? fixtures.flowId;
      return fixtures.connectionId;
    };
    const idForms: [string, () => string][] = [
      ['id:real', realId],
      ['id:real', realId],
      ['id:uuid', () => '00000000-0000-4000-8000-000000000000'],
      ['id:nul', () => 'a%00b'],
      ['id:bad-encoding', () => `%ff%fe${echo}`],
      ['id:5000-chars', () => 'a'.repeat(5000)],
      ['id:unicode', () => encodeURIComponent('é中\u{1F600}')],
      ['id:traversal', () => '..%2f..%2fpackage.json'],
      ['id:sql', () => encodeURIComponent("' or 1=1 --")],
    ];
    const chosen = { real: false };
    let url = operation.path.replace(/\{(\w+)\}/g, () => {
      const [form, make] = pick(idForms);
      if (operation.method === 'DELETE' && form === 'id:real') return '00000000-0000-4000-8000-000000000001';
      forms.push(form);
      chosen.real = form === 'id:real';
      if (form === 'id:bad-encoding') markers.push(echo);
      return make();
    });
    const etagFrom = operation.method === 'PATCH' && chosen.real ? url : undefined;

    // Query: declared names with hostile values, undeclared names, repeats.
    const values: [string, string][] = [
      ['query:junk', encodeURIComponent(`x${pick(['', '*', '==', '>', ';', '"', "'", '\\', ' ', '{}'])}y`)],
      ['query:nul', 'a%00'],
      ['query:bad-encoding', `%ff${echo}`],
      ['query:long', 'q'.repeat(pick([300, 9000]))],
      ['query:number', pick(['-1', '0', '1e309', '99999999999999999999', '+5', '1.5'])],
      ['query:filter', encodeURIComponent(pick(['name==a,', 'createdAt>abc', 'x==1', 'name~a', 'name']))],
      ['query:base64', Buffer.from(pick(['{}', '{"type":"PQL"}', 'not json'])).toString('base64')],
      [
        'query:plausible',
        pick(['draft', 'true', 'root', 'table', '10', 'name', '-createdAt', 'publish', 'enable']),
      ],
    ];
    const query: string[] = [];
    if (operation.query.includes('mode') && random() < 0.5) {
      query.push('mode=draft');
      forms.push('query:draft');
    }
    for (let index = 0, count = Math.floor(random() * 3); index < count; index += 1) {
      const [form, value] = pick(values);
      const name =
        random() < 0.8 && operation.query.length > 0
          ? pick(operation.query)
          : pick(['unknown', 'a%00', `%fe${echo}`]);
      forms.push(form);
      if (form === 'query:bad-encoding' || name.includes(echo)) markers.push(echo);
      query.push(`${name}=${value}`);
      if (random() < 0.1) {
        query.push(`${name}=${value}2`);
        forms.push('query:repeated');
      }
    }
    if (query.length > 0) url += `?${query.join('&')}`;

    // Headers: mostly valid credentials.
    const sent: Record<string, string> = { ...headers };
    const headerForm = random();
    if (headerForm < 0.05) {
      delete sent[pick(['authorization', 'x-api-key', 'x-gw-ims-org-id', 'x-sandbox-name'])];
      forms.push('header:missing');
    } else if (headerForm < 0.08) {
      sent['authorization'] = `Bearer slt_${echo}.x`;
      forms.push('header:bad-token');
    } else if (headerForm < 0.1) {
      sent['x-sandbox-name'] = pick(['PROD', 'p'.repeat(300), 'é', '']);
      forms.push('header:sandbox');
    } else if (headerForm < 0.12) {
      sent['x-request-id'] = pick(['x'.repeat(500), 'a b', '../../']);
      forms.push('header:request-id');
    }
    if (random() < 0.2) sent['if-match'] = pick(['"x"', 'W/"1"', '*', '']);

    // Body.
    let payload: string | undefined;
    if (
      operation.body !== undefined ||
      operation.method === 'PATCH' ||
      (operation.method === 'POST' && random() < 0.3)
    ) {
      sent['content-type'] = 'application/json';
      const base = seedBody(operation, fixtures, secret, pick) ?? sample(operation.body, random);
      const document = JSON.parse(JSON.stringify(base ?? {})) as unknown;
      const targets = slots(document);
      const at = targets.length > 0 ? pick(targets) : undefined;
      const set = (value: unknown): void => {
        if (at !== undefined) (at.parent as Record<string | number, unknown>)[at.key] = value;
      };
      const mutation = pick([
        'valid',
        'nul',
        'surrogate',
        'long-string',
        'huge-string',
        'deep',
        'undeclared-secret',
        'missing-field',
        'wrong-type',
        'number-extreme',
        'proto',
        'primitive-body',
        'patch-grow',
        'invalid-json',
        'charset',
        'content-type',
      ]);
      forms.push(`body:${mutation}`);
      let raw: string | undefined;
      switch (mutation) {
        case 'nul':
          set(`a\u0000${echo}`);
          break;
        case 'surrogate':
          set(`a\ud800${echo}`);
          break;
        case 'long-string':
          set('L'.repeat(9000));
          break;
        case 'huge-string':
          set('H'.repeat(900_000));
          break;
        case 'deep':
          set(DEEP);
          break;
        case 'undeclared-secret': {
          // A typo of a secret field in auth params must be refused, never stored; elsewhere an unknown
          // field is plain data (refused or ignored), so it carries a marker that is not a secret.
          const params = (document as { auth?: { params?: Record<string, unknown> } } | null)?.auth?.params;
          if (params !== undefined) params[pick(['token', 'accountKey', 'password', 'accesstoken'])] = secret;
          else if (at !== undefined && !Array.isArray(at.parent))
            at.parent[pick(['token', 'x', 'extra'])] = `DATA-${counter}`;
          break;
        }
        case 'missing-field':
          if (at !== undefined && !Array.isArray(at.parent)) delete at.parent[at.key as string];
          break;
        case 'wrong-type':
          set(pick([[], {}, 12, true, null, 'text']));
          break;
        case 'number-extreme':
          set(pick([1e308, -1e308, 2 ** 63, -0, 0.1, -1]));
          break;
        case 'proto':
          raw = JSON.stringify(document).replace(
            /^\{/,
            '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},',
          );
          if (!raw.startsWith('{"__proto__"')) raw = undefined;
          break;
        case 'primitive-body':
          raw = pick(['null', '42', '"text"', '[]', 'true']);
          break;
        case 'patch-grow':
          raw = JSON.stringify([
            pick([
              { op: 'add', path: '/description', value: 'D'.repeat(8000) },
              { op: 'replace', path: '/name', value: 'N'.repeat(900_000) },
              { op: 'add', path: '/labels', value: Array.from({ length: 200 }, () => 'l'.repeat(8000)) },
              { op: 'add', path: '/auth/params/accountKey', value: secret },
              { op: 'replace', path: '/params', value: DEEP },
              { op: 'move', from: '/name', path: '/x' },
              { op: 'replace', path: '/name/deeper', value: 'x' },
            ]),
          ]);
          break;
        case 'invalid-json':
          markers.push(echo);
          raw = pick([`{"name": "${echo}`, `{${echo}}`, `[1,2,${echo}`, `\u0000${echo}`, `{"a":1}} ${echo}`]);
          break;
        case 'charset':
          sent['content-type'] = pick([
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
            'application/json; charset="UTF-16LE"',
          ]);
          break;
        case 'content-type':
          sent['content-type'] = pick([
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/jsonx',
          ]);
          break;
        default:
          break;
      }
      payload = (raw ?? JSON.stringify(document)).replace(`"${DEEP}"`, deepText(pick([40, 10_000])));
    }
    return {
      method: operation.method,
      url,
      headers: sent,
      ...(payload === undefined ? {} : { payload }),
      forms,
      markers,
      ...(etagFrom === undefined ? {} : { etagFrom }),
    };
  };
}

export interface Verdict {
  readonly serverError: boolean;
  readonly notProblemJson: boolean;
  readonly problems: readonly string[];
}

/** What is wrong with one answer (nothing, for a good one). */
export function judge(
  request: Pick<GeneratedRequest, 'markers'>,
  status: number,
  contentType: string | undefined,
  body: string,
): Verdict {
  const problems: string[] = [];
  const serverError = status >= 500;
  if (serverError) problems.push(`status ${status}`);
  let notProblemJson = false;
  if (status >= 400) {
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    const code = typeof parsed?.['type'] === 'string' ? (parsed['type'].split('/').at(-1) ?? '') : '';
    const known = (errorCatalog as Record<string, { status: number } | undefined>)[code];
    const report = parsed?.['report'] as Record<string, unknown> | undefined;
    if (
      parsed === undefined ||
      !(contentType ?? '').startsWith('application/problem+json') ||
      known === undefined ||
      known.status !== status ||
      parsed['status'] !== status ||
      typeof parsed['title'] !== 'string' ||
      typeof parsed['errorMessage'] !== 'string' ||
      typeof report?.['request-id'] !== 'string' ||
      ('statusCode' in parsed && 'error' in parsed)
    ) {
      notProblemJson = true;
      problems.push(`not catalogued problem JSON (${contentType ?? 'no content type'})`);
    }
  }
  if (/\n\s+at |node_modules|TypeError|ReferenceError|FST_ERR/.test(body))
    problems.push('stack or internal detail');
  for (const marker of request.markers) if (body.includes(marker)) problems.push(`echoes ${marker}`);
  return { serverError, notProblemJson, problems };
}
