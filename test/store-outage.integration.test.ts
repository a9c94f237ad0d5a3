/**
 * A store outage is an outage: with PostgreSQL cut off (a TCP proxy between Sluice and the server, so the
 * machine's PostgreSQL itself is never stopped), requests get FLOW-1103-503 with Retry-After, /readyz turns
 * unready, the log says once that the store is unreachable and once that it is back, and Sluice recovers
 * without a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { postgresTestUrl, probePostgres } from './support/postgres.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

const postgres = await probePostgres();
const isCi = process.env.CI === 'true' || process.env.CI === '1';

let t: TestSluice | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  proxy?.restore();
  await t?.close();
  await proxy?.close();
  t = undefined;
  proxy = undefined;
});

const linesWith = (logs: readonly string[], text: string): number =>
  logs.filter((line) => line.includes(text)).length;

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!postgres.reachable && !isCi)('a PostgreSQL outage', () => {
  it('is answered 503 with Retry-After, turns /readyz unready, is logged once each way, and recovers', async () => {
    const direct = new URL(postgresTestUrl());
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || '5432') });
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    t = await startTestSluice({ dialect: 'postgres', postgresUrl: proxied.toString() });
    const sluice = t;
    expect((await sluice.request('GET', '/connections')).statusCode).toBe(200);
    expect((await sluice.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);

    proxy.cut();
    for (let index = 0; index < 8; index += 1) {
      const response = await sluice.request('GET', index % 2 === 0 ? '/connections' : '/flows');
      expect(response.statusCode, response.body).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.headers['content-type']).toContain('application/problem+json');
      const problem = response.json() as { type: string; errorMessage: string };
      expect(problem.type).toContain('FLOW-1103-503');
      expect(problem.errorMessage).not.toMatch(/\n\s+at |ECONN|127\.0\.0\.1|terminated/);
    }
    const unready = await sluice.app.inject({ method: 'GET', url: '/readyz' });
    expect(unready.statusCode).toBe(503);
    expect(unready.headers['retry-after']).toBe('5');
    expect((unready.json() as { report: { checks: unknown } }).report.checks).toMatchObject({
      store: 'failed',
    });
    expect(unready.body).not.toMatch(/127\.0\.0\.1|5432|ECONN|terminated/);

    const logs = sluice.logs;
    expect(linesWith(logs, 'store unreachable')).toBe(1);
    expect(linesWith(logs, 'unexpected error')).toBe(0);
    expect(linesWith(logs, 'FLOW-1102')).toBe(0);

    proxy.restore();
    // Recovery needs no restart and no traffic: the monitor's own probe finds the store again.
    await until(() => linesWith(logs, 'store reachable again') === 1, 10_000);
    expect((await sluice.request('GET', '/connections')).statusCode).toBe(200);
    expect((await sluice.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect(linesWith(logs, 'store unreachable')).toBe(1);
    expect(linesWith(logs, 'store reachable again')).toBe(1);
    const back = logs.find((line) => line.includes('store reachable again')) ?? '';
    expect(JSON.parse(back)).toMatchObject({ dependency: 'store', failedRequests: 8 });
  });

  it('is also a 503 when authentication itself needs the store (no cached identity)', async () => {
    const direct = new URL(postgresTestUrl());
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || '5432') });
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    t = await startTestSluice({
      dialect: 'postgres',
      postgresUrl: proxied.toString(),
      env: { SLUICE_AUTH_CACHE_TTL_MS: '0' },
    });
    proxy.cut();
    const response = await t.request('GET', '/connectionSpecs');
    expect(response.statusCode, response.body).toBe(503);
    expect(response.body).toContain('FLOW-1103-503');
    proxy.restore();
    await until(async () => (await t?.request('GET', '/connectionSpecs'))?.statusCode === 200, 10_000);
  });
});
