/**
 * The UI's pure logic, in-process: curl of "Show request" (credentials never shown), PQL from the filter
 * builder, CSV of query results, continuation links, and the CSP-safe form validator.
 */
import type { RJSFSchema } from '@rjsf/utils';
import { describe, expect, it } from 'vitest';
import { nextQuery } from './api.ts';
import { toCsv } from './csv.ts';
import { maskSecrets, registerSecret, toCurl } from './curl.ts';
import { encodeFilter, toPql } from './components/filter-builder.tsx';
import { fieldErrors } from './components/spec-fields.ts';
import { specValidator } from './components/spec-validator.ts';
import { fieldTypeOf, isTemporal, xdmTypeOf } from './model.ts';

describe('Show request', () => {
  it('writes curl with the token and key as variables and typed secrets masked', () => {
    registerSecret('AccountKey=very-secret-key');
    const curl = toCurl(
      {
        seq: 1,
        method: 'POST',
        url: '/data/foundation/flowservice/connections?mode=draft',
        body: JSON.stringify({ auth: { params: { connectionString: 'AccountKey=very-secret-key' } } }),
        contentType: 'application/json',
      },
      'http://127.0.0.1:8080',
      'ORG@AdobeOrg',
      'prod',
    );
    expect(curl).toBe(
      [
        "curl -X POST 'http://127.0.0.1:8080/data/foundation/flowservice/connections?mode=draft'",
        '-H "Authorization: Bearer $ACCESS_TOKEN"',
        '-H "x-api-key: $API_KEY"',
        "-H 'x-gw-ims-org-id: ORG@AdobeOrg'",
        "-H 'x-sandbox-name: prod'",
        "-H 'Content-Type: application/json'",
        `-d '{"auth":{"params":{"connectionString":"********"}}}'`,
      ].join(' \\\n  '),
    );
  });

  it('quotes single quotes for the shell and masks secrets inside JSON escapes', () => {
    registerSecret('pa"ss\\word');
    expect(maskSecrets(JSON.stringify({ p: 'pa"ss\\word' }))).toBe('{"p":"********"}');
    const curl = toCurl({ seq: 2, method: 'POST', url: '/x', body: `{"a":"it's"}` }, 'http://h', 'o', 's');
    expect(curl.split(' \\\n  ').at(-1)).toBe(`-d '{"a":"it'\\''s"}'`);
  });
});

describe('filter builder', () => {
  const columns = [
    { name: 'city', type: 'string' },
    { name: 'age', type: 'integer' },
  ];
  it('writes one condition as a PQL node and several as an and', () => {
    expect(toPql([{ column: 'city', operator: '=', value: 'Paris' }], columns)).toEqual({
      type: 'PQL',
      format: 'pql/json',
      value: {
        nodeType: 'fnApply',
        fnName: '=',
        params: [
          { nodeType: 'fieldLookup', fieldName: 'city' },
          { nodeType: 'literal', value: 'Paris' },
        ],
      },
    });
    const both = toPql(
      [
        { column: 'age', operator: 'in', value: '1, 2' },
        { column: 'city', operator: 'isNull', value: '' },
      ],
      columns,
    );
    expect(both?.value).toEqual({
      nodeType: 'fnApply',
      fnName: 'and',
      params: [
        {
          nodeType: 'fnApply',
          fnName: 'in',
          params: [
            { nodeType: 'fieldLookup', fieldName: 'age' },
            { nodeType: 'literal', value: [1, 2] },
          ],
        },
        { nodeType: 'fnApply', fnName: 'isNull', params: [{ nodeType: 'fieldLookup', fieldName: 'city' }] },
      ],
    });
    expect(toPql([], columns)).toBeUndefined();
  });

  it('encodes the filter as base64 of UTF-8 JSON', () => {
    const filter = toPql([{ column: 'city', operator: '=', value: 'Zürich' }], columns);
    if (filter === undefined) throw new Error('no filter');
    const decoded = JSON.parse(Buffer.from(encodeFilter(filter), 'base64').toString('utf8')) as unknown;
    expect(decoded).toEqual(filter);
  });
});

describe('CSV and paging', () => {
  it('writes RFC 4180 CSV', () => {
    expect(
      toCsv({
        columns: [
          { name: 'a', type: 'string' },
          { name: 'b', type: 'json' },
        ],
        rows: [
          ['x,y', { k: 'v' }],
          ['say "hi"', null],
        ],
        rowCount: 2,
        truncated: false,
        elapsedMs: 1,
      }),
    ).toBe('a,b\r\n"x,y","{""k"":""v""}"\r\n"say ""hi""",\r\n');
  });

  it('follows next links in every form the API gives', () => {
    expect(nextQuery('/runs?continuationToken=abc&limit=50')).toEqual({
      continuationToken: 'abc',
      limit: '50',
    });
    expect(nextQuery('?continuationToken=abc')).toEqual({ continuationToken: 'abc' });
    expect(nextQuery(undefined)).toBeUndefined();
  });
});

describe('spec forms', () => {
  const schema: RJSFSchema = {
    type: 'object',
    properties: { domain: { type: 'string', minLength: 3 }, token: { type: 'string', format: 'password' } },
    required: ['domain', 'token'],
  };
  it('validates without eval and puts each error under its field', () => {
    const result = specValidator.validateFormData({ domain: 'ab' }, schema);
    expect(result.errorSchema).toEqual({
      domain: { __errors: ['String is too short (2 < 3)'] },
      token: { __errors: ['is required'] },
    });
    expect(specValidator.isValid(schema, { domain: 'abc', token: 'x' }, schema)).toBe(true);
  });

  it("places the API's report.fields beside their fields", () => {
    expect(fieldErrors(['auth.params.database', 'name'], 'auth.params', 'missing')).toEqual({
      database: { __errors: ['missing'] },
    });
  });

  it("reads explore's types as the Adobe shape sends them", () => {
    const adobe = { name: 'at', type: 'string', 'meta:xdmType': 'date-time' };
    expect(fieldTypeOf(adobe)).toBe('date-time');
    expect(isTemporal(adobe)).toBe(true);
    expect(xdmTypeOf({ name: 'id', type: 'long', xdm: { type: 'integer' } })).toBe('integer');
    expect(isTemporal({ name: 'id', type: 'long' })).toBe(false);
  });
});
