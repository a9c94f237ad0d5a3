import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { defaultFixture, startDatabricksEmulator, type DatabricksEmulator } from './index.ts';
import { rest } from './test-rest.ts';

let emulator: DatabricksEmulator;

beforeAll(async () => {
  emulator = await startDatabricksEmulator({
    fixture: {
      ...defaultFixture,
      clusters: [
        ...defaultFixture.clusters,
        { id: 'slow-start', name: 'slow', state: 'TERMINATED', kind: 'interactive', startDelayMs: 150 },
      ],
    },
  });
});

afterAll(async () => {
  await emulator.stop();
});

describe('the emulator’s public surface', () => {
  it('exposes URL, CA file, token, cluster id and http path', () => {
    expect(emulator.url).toBe(`https://127.0.0.1:${emulator.port}`);
    expect(readFileSync(emulator.caFile, 'utf8')).toBe(emulator.caPem);
    expect(emulator.caPem).toContain('BEGIN CERTIFICATE');
    expect(emulator.token).toBe('dapi-emulator-token');
    expect(emulator.clusterId).toBe('0123-456789-running');
    expect(emulator.httpPath()).toBe('/sql/protocolv1/o/0/0123-456789-running');
    expect(emulator.httpPath('x')).toBe('/sql/protocolv1/o/0/x');
  });
});

describe('clusters REST API', () => {
  it('describes a cluster the way Databricks does', async () => {
    const res = await rest(emulator, 'GET', '/api/2.0/clusters/get?cluster_id=0123-456789-running');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      cluster_id: '0123-456789-running',
      cluster_name: 'Shared interactive',
      state: 'RUNNING',
      cluster_source: 'UI',
    });
    expect(typeof res.body['spark_version']).toBe('string');
    const job = await rest(emulator, 'GET', '/api/2.0/clusters/get?cluster_id=0123-456789-job');
    expect(job.body).toMatchObject({ cluster_source: 'JOB', state: 'RUNNING' });
    const stopped = await rest(emulator, 'GET', '/api/2.0/clusters/get?cluster_id=0123-456789-stopped');
    expect(stopped.body).toMatchObject({ state: 'TERMINATED', termination_reason: { code: 'USER_REQUEST' } });
  });

  it('answers an unknown cluster with 400 INVALID_PARAMETER_VALUE', async () => {
    const res = await rest(emulator, 'GET', '/api/2.0/clusters/get?cluster_id=xyz');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Cluster xyz does not exist',
    });
  });

  it('lists clusters', async () => {
    const res = await rest(emulator, 'GET', '/api/2.0/clusters/list');
    const ids = (res.body['clusters'] as { cluster_id: string }[]).map((c) => c.cluster_id);
    expect(ids).toEqual(['0123-456789-running', '0123-456789-stopped', '0123-456789-job', 'slow-start']);
  });

  it('starts a terminated cluster: PENDING, then RUNNING after startDelayMs; a running one is INVALID_STATE', async () => {
    const started = await rest(emulator, 'POST', '/api/2.0/clusters/start', {
      body: { cluster_id: 'slow-start' },
    });
    expect(started).toMatchObject({ status: 200, body: {} });
    const pending = await rest(emulator, 'GET', '/api/2.0/clusters/get?cluster_id=slow-start');
    expect(pending.body['state']).toBe('PENDING');
    const again = await rest(emulator, 'POST', '/api/2.0/clusters/start', {
      body: { cluster_id: 'slow-start' },
    });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      error_code: 'INVALID_STATE',
      message: 'Cluster slow-start is in unexpected state Pending.',
    });
    let state = 'PENDING';
    for (let i = 0; i < 50 && state !== 'RUNNING'; i++) {
      await sleep(50);
      state = (await rest(emulator, 'GET', '/api/2.0/clusters/get?cluster_id=slow-start')).body[
        'state'
      ] as string;
    }
    expect(state).toBe('RUNNING');
    const running = await rest(emulator, 'POST', '/api/2.0/clusters/start', {
      body: { cluster_id: 'slow-start' },
    });
    expect(running.body).toEqual({
      error_code: 'INVALID_STATE',
      message: 'Cluster slow-start is in unexpected state Running.',
    });
    const unknown = await rest(emulator, 'POST', '/api/2.0/clusters/start', { body: { cluster_id: 'nope' } });
    expect(unknown.body['error_code']).toBe('INVALID_PARAMETER_VALUE');
  });

  it('answers SCIM Me for a valid token', async () => {
    const res = await rest(emulator, 'GET', '/api/2.0/preview/scim/v2/Me');
    expect(res.status).toBe(200);
    expect(res.body['userName']).toBe('emulator@sluice.local');
  });

  it('refuses a missing or unknown token with 401 and a revoked one with 403, never echoing the token', async () => {
    const missing = await rest(emulator, 'GET', '/api/2.0/clusters/list', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body['error_code']).toBe('UNAUTHENTICATED');
    const bad = await rest(emulator, 'GET', '/api/2.0/preview/scim/v2/Me', { token: 'dapi-wrong-secret' });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error_code: 'UNAUTHENTICATED', message: 'Invalid access token.' });
    emulator.addToken('dapi-temporary');
    expect(
      (await rest(emulator, 'GET', '/api/2.0/preview/scim/v2/Me', { token: 'dapi-temporary' })).status,
    ).toBe(200);
    emulator.revokeToken('dapi-temporary');
    const revoked = await rest(emulator, 'GET', '/api/2.0/preview/scim/v2/Me', { token: 'dapi-temporary' });
    expect(revoked.status).toBe(403);
    expect(revoked.body['error_code']).toBe('PERMISSION_DENIED');
    expect(JSON.stringify([missing.body, bad.body, revoked.body])).not.toMatch(/dapi-/);
  });

  it('answers an unknown path with 404 ENDPOINT_NOT_FOUND', async () => {
    const res = await rest(emulator, 'GET', '/api/2.0/nothing/here');
    expect(res.status).toBe(404);
    expect(res.body['error_code']).toBe('ENDPOINT_NOT_FOUND');
  });

  it('injects faults with Retry-After for the next matching requests only, and counts REST calls', async () => {
    emulator.resetStats();
    emulator.injectFault({ target: 'rest', status: 429, times: 2, retryAfterSeconds: 7 });
    const first = await rest(emulator, 'GET', '/api/2.0/clusters/list');
    const second = await rest(emulator, 'GET', '/api/2.0/clusters/list');
    const third = await rest(emulator, 'GET', '/api/2.0/clusters/list');
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers['retry-after']).toBe('7');
    expect(first.body['error_code']).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(emulator.stats.restCalls).toBe(3);
    emulator.injectFault({ target: 'sql', status: 503, times: 1 });
    expect((await rest(emulator, 'GET', '/api/2.0/clusters/list')).status).toBe(200);
  });
});
