import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { databricks } from './index.ts';

const { spec } = databricks;
const ajv = new Ajv({ strict: true, allErrors: true, strictTypes: false });
ajv.addFormat('password', true);

describe('databricks connectionSpec', () => {
  it('has Adobe ids and names', () => {
    expect(spec).toMatchObject({
      id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b',
      name: 'databricks',
      providerId: '0ed90a81-07f4-4586-8190-b40eccef1c5a',
      version: '1.0',
      exploreSpec: { name: 'Tabular', type: 'Tabular' },
      attributes: {
        category: 'Database',
        connectorName: 'Azure Databricks',
        isSource: true,
        isDraftModeSupported: true,
        filterAtSource: {
          enabled: true,
          queryLanguage: 'SQL',
          columnNameEscapeChar: '`',
          valueEscapeChar: "'",
        },
      },
    });
    expect(databricks.create({ schemaSampleSize: 1 }).specId).toBe(spec.id);
  });

  it('auth spec: requires domain, clusterId, accessToken, database; the token is a password', () => {
    const [auth] = spec.authSpec;
    expect(auth?.name).toBe('Access Token Authentication');
    expect(auth?.type).toBe('accessTokenAuth');
    const validate = ajv.compile(auth?.spec ?? {});
    const good = {
      domain: 'https://adb-1.2.azuredatabricks.net',
      clusterId: 'c',
      accessToken: 't',
      database: 'd',
    };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, catalog: 'main' })).toBe(true);
    for (const key of ['domain', 'clusterId', 'accessToken', 'database']) {
      const rest = Object.fromEntries(Object.entries(good).filter(([k]) => k !== key));
      expect(validate(rest)).toBe(false);
    }
    const properties = auth?.spec.properties as Record<string, { format?: string }>;
    expect(
      Object.entries(properties)
        .filter(([, p]) => p.format === 'password')
        .map(([k]) => k),
    ).toEqual(['accessToken']);
  });

  it('source spec: tableName and columns required; filters and cdcEnabled optional', () => {
    const validate = ajv.compile(spec.sourceSpec?.spec ?? {});
    const good = { tableName: 'acme.customers', columns: [{ name: 'id', type: 'integer' }] };
    expect(validate(good)).toBe(true);
    expect(
      validate({
        ...good,
        cdcEnabled: true,
        filters: {
          type: 'PQL',
          format: 'pql/json',
          value: { nodeType: 'fnApply', fnName: 'isNull', params: [] },
        },
      }),
    ).toBe(true);
    expect(validate({ tableName: 'x' })).toBe(false);
    expect(validate({ ...good, filters: { type: 'SQL', format: 'pql/json', value: {} } })).toBe(false);
  });
});
