import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { connectorModules } from '../connectors/registry.ts';
import type { ConnectionSpec, FlowSpec, JsonSchema } from '../domain/specs.ts';
import { dataLakeSpec, flowSpecs } from './specs.ts';
import { AppError } from '../domain/errors.ts';
import { createCatalog } from './catalog.ts';
import { createAjv } from './validation.ts';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** The shape every connectionSpec must have (Adobe's ConnectionSpecItemDTO, the parts Sluice relies on). */
const connectionSpecMetaSchema = {
  type: 'object',
  required: ['id', 'name', 'providerId', 'version', 'authSpec', 'sourceSpec', 'exploreSpec', 'attributes'],
  properties: {
    id: { type: 'string', pattern: UUID },
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    providerId: { type: 'string', pattern: UUID },
    version: { type: 'string', pattern: '^\\d+\\.\\d+$' },
    authSpec: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'type', 'spec'],
        properties: {
          name: { type: 'string', minLength: 1 },
          type: { type: 'string', minLength: 1 },
          spec: {
            type: 'object',
            required: ['type', 'properties'],
            properties: { type: { const: 'object' } },
          },
        },
      },
    },
    sourceSpec: {
      type: 'object',
      required: ['spec'],
      properties: {
        spec: {
          type: 'object',
          required: ['properties'],
          properties: { required: { contains: { const: 'tableName' } } },
        },
      },
    },
    exploreSpec: { type: 'object', required: ['name', 'type'], properties: { type: { const: 'Tabular' } } },
    attributes: {
      type: 'object',
      required: ['category', 'isSource'],
      properties: { isSource: { const: true }, isDraftModeSupported: { type: 'boolean' } },
    },
  },
};

const connectorsDir = fileURLToPath(new URL('../connectors/', import.meta.url));

describe('connection spec catalogue', () => {
  const specs = connectorModules.map((module) => module.spec);

  it('registers every connector folder, and only those', () => {
    const folders = readdirSync(connectorsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(connectorsDir, entry.name, 'spec.json')))
      .map((entry) => entry.name)
      .sort();
    expect(specs.map((spec) => spec.name).sort()).toEqual(folders);
  });

  it('validates every spec against the meta-schema and compiles its schemas strictly', () => {
    const meta = new Ajv({ allErrors: true }).compile(connectionSpecMetaSchema);
    for (const spec of specs) {
      expect(meta(spec), `${spec.name}: ${JSON.stringify(meta.errors)}`).toBe(true);
      const ajv = createAjv();
      for (const auth of spec.authSpec)
        expect(() => ajv.compile(auth.spec), `${spec.name}/${auth.name}`).not.toThrow();
    }
  });

  it('has unique ids and names, and marks every credential as a secret', () => {
    expect(new Set(specs.map((spec) => spec.id)).size).toBe(specs.length);
    expect(new Set(specs.map((spec) => spec.name)).size).toBe(specs.length);
    for (const spec of specs) {
      const secrets = spec.authSpec.flatMap((auth) =>
        Object.entries((auth.spec['properties'] ?? {}) as Record<string, { format?: string }>)
          .filter(([, property]) => property.format === 'password')
          .map(([name]) => name),
      );
      expect(secrets.length, spec.name).toBeGreaterThan(0);
    }
  });

  it('gives a connector for every spec', () => {
    for (const module of connectorModules) {
      expect(module.create({ schemaSampleSize: 10 }).specId).toBe(module.spec.id);
    }
  });
});

/** Every request-validating schema of a spec, named for messages. */
function schemasOf(spec: ConnectionSpec | FlowSpec): [string, JsonSchema][] {
  const out: [string, JsonSchema][] = [];
  if ('authSpec' in spec) {
    for (const auth of spec.authSpec) out.push([`${spec.name} authSpec ${auth.name}`, auth.spec]);
    if (spec.sourceSpec) out.push([`${spec.name} sourceSpec`, spec.sourceSpec.spec]);
    if (spec.targetSpec) out.push([`${spec.name} targetSpec`, spec.targetSpec.spec]);
    if (spec.exploreSpec?.requestSpec) out.push([`${spec.name} exploreSpec`, spec.exploreSpec.requestSpec]);
  } else {
    if (spec.optionSpec) out.push([`${spec.name} optionSpec`, spec.optionSpec.spec]);
    for (const t of spec.transformationSpecs) out.push([`${spec.name} ${t.name}`, t.spec]);
    out.push([`${spec.name} scheduleSpec`, spec.scheduleSpec.spec]);
    if (spec.runSpec) out.push([`${spec.name} runSpec`, spec.runSpec.spec]);
  }
  return out;
}

/** Each `type: object` node reached through properties/items, with its path. */
function objectNodes(schema: JsonSchema, path = '#'): [string, JsonSchema][] {
  const nodes: [string, JsonSchema][] = schema['type'] === 'object' ? [[path, schema]] : [];
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  for (const [name, child] of Object.entries(properties))
    nodes.push(...objectNodes(child, `${path}/${name}`));
  const items = schema['items'] as JsonSchema | undefined;
  if (items !== undefined) nodes.push(...objectNodes(items, `${path}/items`));
  return nodes;
}

describe('every spec is closed (additionalProperties: false)', () => {
  const all = [...connectorModules.map((module) => module.spec), dataLakeSpec, ...flowSpecs];

  it('covers every connection and flow spec', () => {
    expect(all.map((spec) => spec.name)).toEqual(
      expect.arrayContaining(['databricks', 'azure-table-storage', 'datalake', 'CRMToAEP']),
    );
    expect(all.flatMap(schemasOf).length).toBeGreaterThanOrEqual(12);
  });

  it('says additionalProperties: false at the top of every schema and on every object with properties', () => {
    for (const spec of all) {
      for (const [name, schema] of schemasOf(spec)) {
        expect(schema['additionalProperties'], `${name} #`).toBe(false);
        for (const [path, node] of objectNodes(schema)) {
          // Free-form objects (a PQL tree, xdm hints, meta) must say so explicitly.
          const expected = node['properties'] === undefined ? true : false;
          expect(node['additionalProperties'], `${name} ${path}`).toBe(expected);
        }
      }
    }
  });

  it('has no free-form object anywhere in an auth spec (an undeclared field could hold a secret)', () => {
    for (const spec of all) {
      if (!('authSpec' in spec)) continue;
      for (const auth of spec.authSpec) {
        for (const [path, node] of objectNodes(auth.spec))
          expect(node['additionalProperties'], `${spec.name} ${auth.name} ${path}`).toBe(false);
      }
    }
  });
});

describe('auth param validation messages', () => {
  const catalog = createCatalog({
    connectionSpecs: connectorModules.map((module) => module.spec),
    flowSpecs: [],
  });
  const validator = catalog.authValidator(
    'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b',
    'Access Token Authentication',
  );
  const failure = (params: unknown): AppError => {
    try {
      validator.assert(params, 'auth.params');
    } catch (error) {
      if (error instanceof AppError) return error;
    }
    throw new Error('expected a validation error');
  };

  it('names each missing field', () => {
    const error = failure({ domain: 'https://x', clusterId: 'c' });
    expect(error.code).toBe('CONNECTOR-1304-400');
    expect(error.message).toContain("'auth.params.accessToken'");
    expect(error.message).toContain("'auth.params.database'");
  });

  it('refuses an undeclared field, naming it and the declared ones, without echoing its value', () => {
    const error = failure({
      domain: 'https://x',
      clusterId: 'c',
      accessToken: 'dapi-1',
      database: 'd',
      token: 'TYPO-SECRET-123',
    });
    expect(error.code).toBe('CONNECTOR-1318-400');
    expect(error.message).toContain("'auth.params.token' is not declared");
    expect(error.message).toContain('domain, clusterId, accessToken, database, catalog');
    expect(error.message).not.toContain('TYPO-SECRET');
    expect(error.report['fields']).toEqual(['auth.params.token']);
  });

  it('refuses a typo of the Azure secret field', () => {
    const ats = catalog.authValidator(
      'ecde33f2-c56f-46cc-bdea-ad151c16cd69',
      'Connection String Based Authentication',
    );
    let caught: unknown;
    try {
      ats.assert(
        { connectionString: 'UseDevelopmentStorage=true', accountKey: 'TYPO-SECRET' },
        'auth.params',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('CONNECTOR-1318-400');
    expect((caught as AppError).message).toContain("'auth.params.accountKey'");
    expect((caught as AppError).message).toContain('(declared: connectionString)');
  });

  it('names wrong types without echoing the value', () => {
    const error = failure({ domain: 'https://x', clusterId: 'c', accessToken: 12345678, database: 'd' });
    expect(error.code).toBe('CONNECTOR-1312-400');
    expect(error.message).toContain('auth.params.accessToken');
    expect(error.message).not.toContain('12345678');
  });
});
