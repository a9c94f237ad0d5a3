/**
 * One adversarial pass against a whole Sluice on one store: fixtures (a connection, source and target
 * connections, a dataset with a committed batch, a mapping set, a flow), then `requests` generated
 * requests over /openapi.json (in process) and the raw-socket requests (over a real listening socket).
 * Returns the figures the issue asks for; the test asserts them, `npm run bench:adversarial` prints them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createRequestGenerator, judge, type Fixtures } from './request-generator.ts';
import { rawRequests, sendRaw } from './raw-requests.ts';
import { BASE, startTestSluice, type TestSluice } from './sluice.ts';

export interface PassFigures {
  readonly store: 'sqlite' | 'postgres';
  readonly seed: number;
  readonly requests: number;
  readonly rawRequests: number;
  readonly rawWithoutAnswer: number;
  readonly statuses: Record<string, number>;
  readonly serverErrors: number;
  readonly notProblemJson: number;
  readonly echoes: number;
  readonly secretsInResponses: number;
  readonly secretsInLogs: number;
  readonly secretsInStore: number;
  readonly forms: number;
  readonly failures: readonly string[];
  readonly seconds: number;
}

const SECRET = /SECRET-\d+-\d+/g;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 1;
}

async function fixturesOf(t: TestSluice): Promise<Fixtures> {
  const deadDomain = `https://127.0.0.1:${await closedPort()}`;
  const created = async (path: string, body: unknown): Promise<string> => {
    const response = await t.request('POST', path, { body });
    if (response.statusCode !== 201)
      throw new Error(`fixture ${path}: ${response.statusCode} ${response.body}`);
    const parsed = response.json() as { id?: string } | string[];
    return Array.isArray(parsed) ? (parsed[0] ?? '').replace('@/dataSets/', '') : (parsed.id ?? '');
  };
  const connectionId = await created('/connections?mode=draft', {
    name: 'fixture',
    auth: {
      specName: 'Access Token Authentication',
      params: { domain: deadDomain, clusterId: 'c-1', accessToken: 'SECRET-0-0', database: 'acme' },
    },
    connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
  });
  const sourceConnectionId = await created('/sourceConnections?mode=draft', {
    name: 'fixture source',
    baseConnectionId: connectionId,
    data: { format: 'tabular' },
    params: { tableName: 'acme.customers', columns: [{ name: 'id', type: 'long' }] },
    connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
  });
  const datasetId = await created('/data/foundation/catalog/dataSets', {
    name: 'fixture_ds',
    schema: { fields: [{ name: 'id', type: 'long' }] },
  });
  const targetConnectionId = await created('/targetConnections', {
    name: 'fixture target',
    data: { format: 'parquet_xdm' },
    params: { dataSetId: datasetId },
    connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
  });
  const mapping = await t.request('POST', '/data/foundation/conversion/mappingSets', {
    body: { xdmSchema: datasetId, mappings: [{ sourceType: 'ATTRIBUTE', source: 'id', destination: 'id' }] },
  });
  const mappingSetId = (mapping.json() as { id: string }).id;
  const flowId = await created('/flows?mode=draft', {
    name: 'fixture flow',
    flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' },
    sourceConnectionIds: [sourceConnectionId],
    targetConnectionIds: [targetConnectionId],
    transformations: [{ name: 'Mapping', params: { mappingId: mappingSetId, mappingVersion: 0 } }],
    scheduleParams: { startTime: 1_700_000_000, frequency: 'once' },
  });
  const sandbox = (await t.sluice.identity.listSandboxes(t.credentials.org.id))[0];
  const tenant = { orgId: t.credentials.org.id, sandboxId: sandbox?.id ?? '', sandboxName: 'prod' };
  const { batch, writer } = await t.sluice.datasets.beginBatch(tenant, datasetId, { flowId });
  await writer.append([{ id: 1 }, { id: 2 }]);
  await t.sluice.datasets.commitBatch(batch.id, await writer.finish());
  return {
    connectionId,
    sourceConnectionId,
    targetConnectionId,
    flowId,
    datasetId,
    batchId: batch.id,
    mappingSetId,
    deadDomain,
  };
}

async function storeText(t: TestSluice): Promise<string> {
  const { store, config } = t.sluice;
  if (store.dialect === 'sqlite') {
    const dir = config.dataDir;
    return readdirSync(dir)
      .filter((name) => name.startsWith('sluice.db'))
      .map((name) => readFileSync(join(dir, name)).toString('latin1'))
      .join('\n');
  }
  const tables = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables where table_schema = ${store.schema ?? 'public'}`.execute(
    store.db,
  );
  const texts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t`.execute(
      store.db,
    );
    texts.push(...rows.rows.map((row) => row.row));
  }
  return texts.join('\n');
}

export async function runAdversarialPass(options: {
  dialect: 'sqlite' | 'postgres';
  requests: number;
  seed: number;
}): Promise<PassFigures> {
  const started = performance.now();
  const t = await startTestSluice({
    dialect: options.dialect,
    env: { SLUICE_AUTH_FAILURE_LIMIT: '1000000', SLUICE_STAGE_TIMEOUT_MS: '1000' },
  });
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  const forms = new Set<string>();
  let serverErrors = 0;
  let notProblemJson = 0;
  let echoes = 0;
  let secretsInResponses = 0;
  const count = (status: number, body: string, problems: readonly string[], context: string): void => {
    statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    if (problems.some((problem) => problem.startsWith('echoes'))) echoes += 1;
    secretsInResponses += body.match(SECRET)?.length ?? 0;
    if (problems.length > 0 && failures.length < 20)
      failures.push(`${context} → ${status}: ${problems.join(', ')}: ${body.slice(0, 240)}`);
  };
  try {
    const fixtures = await fixturesOf(t);
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as never;
    const next = createRequestGenerator(document, options.seed);
    for (let index = 0; index < options.requests; index += 1) {
      const request = next(fixtures, t.headers());
      for (const form of request.forms) forms.add(form);
      if (request.etagFrom !== undefined && index % 5 !== 0) {
        // Mostly the current etag, so that PATCH documents reach the entity rather than stop at If-Match.
        const current = await t.app.inject({ method: 'GET', url: request.etagFrom, headers: t.headers() });
        const etag = (current.json() as { items?: { etag?: string }[] }).items?.[0]?.etag;
        if (etag !== undefined) request.headers['if-match'] = etag;
      }
      const response = await t.app.inject({
        method: request.method as 'GET',
        url: request.url,
        headers: request.headers,
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      });
      const verdict = judge(
        request,
        response.statusCode,
        response.headers['content-type'] as string | undefined,
        response.body,
      );
      if (verdict.serverError) serverErrors += 1;
      if (verdict.notProblemJson) notProblemJson += 1;
      count(
        response.statusCode,
        response.body,
        verdict.problems,
        `#${index} ${request.method} ${request.url.slice(0, 160)} [${request.forms.join(' ')}]`,
      );
    }

    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = Number(new URL(address).port);
    const raw = rawRequests(BASE, t.headers());
    let rawWithoutAnswer = 0;
    for (const request of raw) {
      forms.add(`raw:${request.name}`);
      const answer = await sendRaw(port, request.bytes);
      if (answer === undefined) {
        rawWithoutAnswer += 1;
        continue;
      }
      const verdict = judge(request, answer.status, answer.contentType, answer.body);
      if (verdict.serverError) serverErrors += 1;
      if (verdict.notProblemJson) notProblemJson += 1;
      count(answer.status, answer.body, verdict.problems, `raw ${request.name}`);
    }
    const logs = t.logs.join('\n');
    return {
      store: t.sluice.store.dialect,
      seed: options.seed,
      requests: options.requests,
      rawRequests: raw.length,
      rawWithoutAnswer,
      statuses,
      serverErrors,
      notProblemJson,
      echoes,
      secretsInResponses,
      secretsInLogs: logs.match(SECRET)?.length ?? 0,
      secretsInStore: (await storeText(t)).match(SECRET)?.length ?? 0,
      forms: forms.size,
      failures,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await t.close();
  }
}
