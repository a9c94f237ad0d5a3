import { describe, expect, it } from 'vitest';
import { DEV_KEY, parseConnectionString, parseSas } from './connection-string.ts';

const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const SIG = 'sig=abc%2Fdef%3D';
const SAS = `sv=2019-02-02&ss=t&srt=sco&sp=rl&se=2099-01-01T00%3A00%3A00Z&st=2020-01-01T00%3A00%3A00Z&${SIG}`;

function ok(text: unknown) {
  const result = parseConnectionString(text);
  if (!result.ok) throw new Error(`expected ok, got: ${result.message}`);
  return result.value;
}

function problem(text: unknown): string {
  const result = parseConnectionString(text);
  if (result.ok) throw new Error('expected a problem');
  expect(result.message).not.toContain(KEY.slice(0, 12));
  expect(result.message).not.toContain('abc%2Fdef');
  return result.message;
}

describe('parseConnectionString', () => {
  it('reads the account key form with the default suffix and https', () => {
    const value = ok(
      `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${KEY};EndpointSuffix=core.windows.net`,
    );
    expect(value).toEqual({
      endpoint: 'https://acme.table.core.windows.net',
      protocol: 'https',
      host: 'acme.table.core.windows.net',
      port: 443,
      credential: { kind: 'key', accountName: 'acme', accountKey: KEY },
    });
    expect(ok(`AccountName=acme;AccountKey=${KEY}`).endpoint).toBe('https://acme.table.core.windows.net');
    expect(ok(`AccountName=acme;AccountKey=${KEY};EndpointSuffix=core.chinacloudapi.cn`).endpoint).toBe(
      'https://acme.table.core.chinacloudapi.cn',
    );
  });

  it('tolerates case, whitespace, quotes, trailing ; and a key broken over lines', () => {
    const value = ok(
      ` "defaultendpointsprotocol = HTTP ; accountname='acme' ;\n ACCOUNTKEY = ${KEY.slice(0, 40)}\n${KEY.slice(40)} ;;" `,
    );
    expect(value.endpoint).toBe('http://acme.table.core.windows.net');
    expect(value.port).toBe(80);
    expect(value.credential).toEqual({ kind: 'key', accountName: 'acme', accountKey: KEY });
  });

  it('uses an explicit TableEndpoint (Azurite path style) and ignores other service endpoints', () => {
    const value = ok(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1/;`,
    );
    expect(value).toMatchObject({
      endpoint: 'http://127.0.0.1:10002/devstoreaccount1',
      host: '127.0.0.1',
      port: 10002,
      protocol: 'http',
    });
  });

  it('reads SAS with TableEndpoint or with AccountName', () => {
    const a = ok(`TableEndpoint=https://acme.table.core.windows.net/;SharedAccessSignature=?${SAS}`);
    expect(a.endpoint).toBe('https://acme.table.core.windows.net');
    expect(a.credential).toMatchObject({
      kind: 'sas',
      sas: { token: SAS, services: 't', resourceTypes: 'sco', permissions: 'rl' },
    });
    if (a.credential.kind === 'sas') {
      expect(a.credential.sas.expiry?.toISOString()).toBe('2099-01-01T00:00:00.000Z');
      expect(a.credential.sas.start?.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    }
    expect(ok(`AccountName=acme;SharedAccessSignature=${SAS}`).endpoint).toBe(
      'https://acme.table.core.windows.net',
    );
  });

  it('maps UseDevelopmentStorage to Azurite, optionally through a proxy', () => {
    expect(ok('UseDevelopmentStorage=true')).toEqual({
      endpoint: 'http://127.0.0.1:10002/devstoreaccount1',
      protocol: 'http',
      host: '127.0.0.1',
      port: 10002,
      credential: { kind: 'key', accountName: 'devstoreaccount1', accountKey: DEV_KEY },
    });
    expect(ok('UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://docker.host').endpoint).toBe(
      'http://docker.host:10002/devstoreaccount1',
    );
  });

  it('says which part is wrong without echoing secrets', () => {
    expect(problem('')).toMatch(/empty/);
    expect(problem(undefined)).toMatch(/empty/);
    expect(problem(`AccountName=acme;AccountKey=${KEY.slice(0, 30)}!!`)).toMatch(
      /AccountKey is not valid base64 \(32 characters/,
    );
    expect(problem(`AccountName=acme;AccountKey=${KEY.slice(0, 87)}`)).toMatch(
      /AccountKey is not valid base64/,
    );
    expect(problem(`AccountName=acme;AcountKey=${KEY}`)).toMatch(/Unknown key "AcountKey"/);
    expect(problem(`AccountName=acme;${KEY}`)).toMatch(/Unknown key in part 2 \(not shown\)/);
    expect(problem(`AccountName=acme;${KEY.replace(/=/g, '')}`)).toMatch(
      /Part 2 .* not of the form Key=Value/,
    );
    expect(problem(`AccountName=${KEY};AccountKey=${KEY}`)).toMatch(/AccountName \(88 characters\) is not/);
    expect(problem('AccountName=acme')).toMatch(/no credential/);
    expect(problem(`AccountKey=${KEY}`)).toMatch(/AccountName is required/);
    expect(problem(`AccountName=Acme_Corp;AccountKey=${KEY}`)).toMatch(/AccountName "Acme_Corp" is not/);
    expect(problem(`AccountName=acme;AccountKey=${KEY};SharedAccessSignature=${SAS}`)).toMatch(/both/);
    expect(problem(`AccountName=acme;AccountName=acme2;AccountKey=${KEY}`)).toMatch(
      /AccountName more than once/,
    );
    expect(problem(`DefaultEndpointsProtocol=ftp;AccountName=acme;AccountKey=${KEY}`)).toMatch(
      /DefaultEndpointsProtocol/,
    );
    expect(problem(`AccountKey=${KEY};AccountName=acme;TableEndpoint=not a url`)).toMatch(
      /TableEndpoint does not give/,
    );
    expect(
      problem(`TableEndpoint=https://a.table.core.windows.net/?${SAS};AccountName=acme;AccountKey=${KEY}`),
    ).toMatch(/without a query/);
    expect(
      problem(`TableEndpoint=https://a.table.core.windows.net;SharedAccessSignature=sv=2020&sp=r`),
    ).toMatch(/no sig=/);
    expect(
      problem(`TableEndpoint=https://a.table.core.windows.net;SharedAccessSignature=sp=r&${SIG}`),
    ).toMatch(/no sv=/);
    expect(problem(`SharedAccessSignature=${SAS}`)).toMatch(/needs AccountName \(or TableEndpoint\)/);
    expect(problem(`https://acme.table.core.windows.net/?${SAS}`)).toMatch(/is a URL/);
    expect(problem('UseDevelopmentStorage=yes')).toMatch(/must be "true"/);
  });
});

describe('parseSas', () => {
  it('reads a table SAS and rejects unreadable times', () => {
    expect(parseSas(`sv=2019-02-02&tn=people&sp=r&se=2099-01-01&${SIG}`)).toMatchObject({
      tableName: 'people',
      permissions: 'r',
    });
    expect(parseSas(`sv=2019-02-02&sp=r&se=tomorrow&${SIG}`)).toMatch(/unreadable se=/);
    expect(parseSas(`sv=2019-02-02&sp=rz&${SIG}`)).toMatch(/sp=/);
  });
});
