/** The UI is served on the API's origin without ever shadowing an API path, with a strict CSP. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from './error-handler.ts';
import { registerUi } from './ui-static.ts';
import type { App } from './types.ts';

let dir: string;
let app: App;
/** These tests meet no store: nothing is an outage, and the monitor is never told of one. */
const errorHandling = {
  isStoreUnavailable: () => false,
  storeMonitor: {
    reachable: true,
    failed: () => undefined,
    check: () => Promise.resolve(true),
    close: () => undefined,
  },
};

const INDEX =
  '<!doctype html><title>Sluice Studio</title><script type="module" src="/assets/index-abc123.js"></script>';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-ui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  app = Fastify().withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  registerErrorHandling(app, errorHandling);
  app.get('/data/foundation/flowservice/connectionSpecs', () => ({ items: [] }));
  app.get('/openapi.json', () => ({ openapi: '3.0.3' }));
  await registerUi(app, dir);
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the UI on the API origin', () => {
  it.each(['/', '/catalog', '/accounts/0c2f5d7e-1111-2222-3333-444455556666', '/runs/x?window=1'])(
    'answers %s with the app, a strict CSP and no cookie',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toBe(INDEX);
      expect(response.headers['content-security-policy']).toMatch(/^default-src 'self'; script-src 'self';/);
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['set-cookie']).toBeUndefined();
    },
  );

  it('serves hashed assets with a year-long immutable cache', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe('console.log(1)');
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).headers['content-type']).toBe(
      'image/svg+xml',
    );
  });

  it.each([
    '/data/foundation/flowservice/nope',
    '/data/foundation/sandbox-management/anything',
    '/data',
    '/docs/missing',
    '/metrics',
    '/healthz',
    '/readyz',
    '/assets/missing-0000.js',
    '/index.html.bak',
  ])('never answers the API path or missing file %s with the app', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((response.json() as { title: string }).title).toBe('Route not found');
  });

  it.each(['/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd'])(
    'reads no file outside the build for %s',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.body).not.toMatch(/root:/);
      expect([200, 404]).toContain(response.statusCode);
      if (response.statusCode === 200) expect(response.body).toBe(INDEX);
    },
  );

  it.each(['/%E0%A4%A', '/assets/%ZZ.js'])(
    'answers a malformed %%-escape (%s) with a 400, not the app',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      // Fastify's router refuses it before any route (FST_ERR_BAD_URL); never a 500, never index.html.
      expect(response.statusCode).toBe(400);
      expect(response.body).not.toBe(INDEX);
    },
  );

  it('leaves the API routes to the API', async () => {
    expect((await app.inject({ method: 'GET', url: '/openapi.json' })).json()).toEqual({ openapi: '3.0.3' });
    expect(
      (await app.inject({ method: 'GET', url: '/data/foundation/flowservice/connectionSpecs' })).json(),
    ).toEqual({ items: [] });
    // A write to a UI path is not the app either.
    expect((await app.inject({ method: 'POST', url: '/catalog' })).statusCode).toBe(404);
  });

  it('says how to build the UI when it is not built', async () => {
    const bare = Fastify().withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
    registerErrorHandling(bare, errorHandling);
    await registerUi(bare, join(dir, 'does-not-exist'));
    const response = await bare.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(404);
    expect((response.json() as { errorMessage: string }).errorMessage).toMatch(/npm run build:ui/);
    await bare.close();
  });
});
