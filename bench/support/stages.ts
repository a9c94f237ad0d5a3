/**
 * "Where the time goes", measured in-process: each stage a Flow Service GET goes through, called
 * one at a time (no concurrency) many times with performance.now, on the same store and data the
 * HTTP runs use. Figures are mean microseconds per call (fastest of 5 batches, after a warm-up).
 */
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import fastJson from 'fast-json-stringify';
import { listEnvelopeJson } from '../../src/api/listing.ts';
import { ItemsResponse, ListResponse } from '../../src/api/schemas.ts';
import { itemsJson } from '../../src/services/entity-views.ts';
import { CONNECTION_FILTER_FIELDS } from '../../src/api/routes/connections/list.ts';
import type { App } from '../../src/api/types.ts';
import { maskSecrets } from '../../src/crypto/secret-fields.ts';
import { parseSecret, secretMatches } from '../../src/crypto/tokens.ts';
import type { Connection } from '../../src/domain/connection.ts';
import { createCursorCodec } from '../../src/domain/cursor.ts';
import { parseListQuery } from '../../src/domain/listing.ts';
import {
  API_KEY_PREFIX,
  createIdentityService,
  TOKEN_PREFIX,
  type IssuedCredentials,
} from '../../src/services/identity.ts';
import { ENTITY_LIST_RULES } from '../../src/services/listing.ts';
import type { Sluice } from '../../src/sluice.ts';
import { createRepositories } from '../../src/store/repositories.ts';

export interface StageTiming {
  readonly stage: string;
  /** Mean microseconds per call. */
  readonly micros: number;
  /** Nesting depth, for printing the breakdown as a tree. */
  readonly depth: number;
}

/**
 * Mean µs per call of the fastest of 5 batches: the machine is shared, and the least-disturbed
 * batch is the best estimate of the stage's own cost.
 */
async function time(iterations: number, fn: () => unknown): Promise<number> {
  const warmup = Math.max(1, Math.floor(iterations / 5));
  for (let i = 0; i < warmup; i += 1) await fn();
  const batch = Math.max(1, Math.floor(iterations / 5));
  let best = Number.POSITIVE_INFINITY;
  for (let b = 0; b < 5; b += 1) {
    const started = performance.now();
    for (let i = 0; i < batch; i += 1) await fn();
    best = Math.min(best, ((performance.now() - started) * 1000) / batch);
  }
  return best;
}

export interface StageInput {
  readonly sluice: Sluice;
  readonly app: App;
  readonly credentials: IssuedCredentials;
  readonly headers: Record<string, string>;
  readonly connectionId: string;
  readonly getPath: string;
  readonly listPath: string;
  readonly iterations: number;
  /** The bare Fastify app, to price app.inject itself. */
  readonly bareApp: { inject(options: { method: 'GET'; url: string }): Promise<{ statusCode: number }> };
}

export async function measureStages(input: StageInput): Promise<StageTiming[]> {
  const { sluice, credentials, connectionId, iterations } = input;
  const repos = createRepositories(sluice.store.db);
  const uncached = createIdentityService(repos.identity);
  const token = parseSecret(TOKEN_PREFIX, credentials.accessToken);
  const key = parseSecret(API_KEY_PREFIX, credentials.apiKey);
  if (!token || !key) throw new Error('bootstrap credentials do not parse');
  const tokenRow = await repos.identity.getToken(token.id);
  const clientRow = await repos.identity.getClient(key.id);
  if (!tokenRow || !clientRow) throw new Error('bootstrap credentials are not in the store');

  const credentialsIn = {
    authorization: `Bearer ${credentials.accessToken}`,
    apiKey: credentials.apiKey,
    orgId: credentials.org.id,
    sandboxName: 'prod',
  };
  const options = { defaultSandbox: false };
  const actor = await sluice.identity.authenticate(credentialsIn, options);
  const stored = await repos.connections.get(actor, connectionId);
  if (!stored) throw new Error('seeded connection not found');
  const spec = sluice.catalog.connectionSpec(stored.connectionSpec.id);
  const authSchema =
    spec === undefined ? undefined : sluice.catalog.authSpec(spec, stored.auth.specName)?.spec;
  if (authSchema === undefined) throw new Error('auth spec of the seeded connection not found');

  // A second, read-only connection to the same file: the SQLite work alone, without Kysely.
  if (sluice.config.store.kind !== 'sqlite') throw new Error('stage timings need the SQLite store');
  const raw = new DatabaseSync(sluice.config.store.file, { readOnly: true });
  const select = raw.prepare('select body from connections where id = ? and org_id = ? and sandbox_id = ?');
  const bodyRow = select.get(connectionId, actor.orgId, actor.sandboxId) as { body: string } | undefined;
  if (bodyRow === undefined) throw new Error('raw select found no row');
  const body = bodyRow.body;

  const view = await sluice.connections.get(actor, connectionId);
  const serializeItems = fastJson(ItemsResponse as object);
  const serializeList = fastJson(ListResponse as object);
  const listRequest = parseListQuery(
    { limit: '50' },
    { ...ENTITY_LIST_RULES, filterFields: CONNECTION_FILTER_FIELDS, defaultLimit: 100, maxLimit: 1000 },
  );
  const page = await sluice.connections.list(actor, listRequest);
  const listBody = page.kind === 'page' ? { items: page.items, _links: {} } : page;
  // A codec like Sluice's (its own key): the token's cost, not its value, is what is timed.
  const cursors = createCursorCodec(randomBytes(32));
  const pageJson = await sluice.connections.listJson(actor, listRequest);
  const viewText = await sluice.connections.getJson(actor, connectionId);
  const selectView = raw.prepare(
    'select case when view_key = ?1 then view else null end as view, case when view_key = ?1 and view is not null then null else body end as stale_body from connections where id = ?2 and org_id = ?3 and sandbox_id = ?4',
  );
  const viewKeyOf = (
    raw.prepare('select view_key from connections where id = ?').get(connectionId) as {
      view_key: string;
    }
  ).view_key;

  const inject = (url: string) => async () => {
    const response = await input.app.inject({ method: 'GET', url, headers: input.headers });
    if (response.statusCode !== 200) throw new Error(`inject ${url}: ${response.statusCode}`);
  };

  const n = iterations;
  const timings: StageTiming[] = [];
  /** `calls`: how many calls one run of `fn` makes (the figure is per call). */
  const add = async (
    stage: string,
    depth: number,
    fn: () => unknown,
    count = n,
    calls = 1,
  ): Promise<void> => {
    timings.push({ stage, depth, micros: (await time(count, fn)) / calls });
  };
  try {
    await add('bare Fastify /ping: app.inject (the cost of inject itself)', 0, async () => {
      await input.bareApp.inject({ method: 'GET', url: '/ping' });
    });
    await add('GET one: app.inject (whole route, no socket)', 0, inject(input.getPath));
    await add('authenticate (identity service, total)', 1, () =>
      sluice.identity.authenticate(credentialsIn, options),
    );
    await add('authenticate without the cache (one store statement)', 2, () =>
      uncached.authenticate(credentialsIn, options),
    );
    await add('store: token + API client + sandbox, one prepared statement', 3, () =>
      repos.identity.findCredentials(token.id, key.id, 'prod'),
    );
    await add('store: access_tokens by id (Kysely builder, for comparison)', 3, () =>
      repos.identity.getToken(token.id),
    );
    await add('parse + sha256 + timingSafeEqual (token and key)', 2, () => {
      parseSecret(TOKEN_PREFIX, credentials.accessToken);
      parseSecret(API_KEY_PREFIX, credentials.apiKey);
      return secretMatches(token.secret, tokenRow.tokenHash) && secretMatches(key.secret, clientRow.keyHash);
    });
    await add('connections.getJson (service: the stored view, as the route does)', 1, () =>
      sluice.connections.getJson(actor, connectionId),
    );
    // Under HTTP load the GETs one poll phase read share one reading of the store's version
    // (sqlite-driver.ts versionAfterTurn); called one at a time, each waits for a loop turn of its own.
    await add(
      '  10 started together, per call (one version reading shared, as under load)',
      1,
      async () => {
        await Promise.all(Array.from({ length: 10 }, () => sluice.connections.getJson(actor, connectionId)));
      },
      Math.max(10, Math.floor(n / 10)),
      10,
    );
    await add('node:sqlite select of the view (the stored view alone)', 2, () =>
      selectView.get(viewKeyOf, connectionId, actor.orgId, actor.sandboxId),
    );
    await add('connections.get (service: load + mask, the stale-view fallback)', 1, () =>
      sluice.connections.get(actor, connectionId),
    );
    await add('repository.get (compiled query + node:sqlite + JSON.parse)', 2, () =>
      repos.connections.get(actor, connectionId),
    );
    await add('node:sqlite prepared select alone', 3, () =>
      select.get(connectionId, actor.orgId, actor.sandboxId),
    );
    await add('JSON.parse of the stored body', 3, () => JSON.parse(body) as Connection);
    await add('maskSecrets (copies only the path to each secret)', 2, () =>
      maskSecrets(authSchema, stored.auth.params),
    );
    await add('response body from the stored view (string concatenation, as the route does)', 1, () =>
      itemsJson(viewText),
    );
    await add('  JSON.stringify of the built item (the route before)', 1, () =>
      JSON.stringify({ items: [view] }),
    );
    await add('  fast-json-stringify of the built item (two changes ago)', 1, () =>
      serializeItems({ items: [view] }),
    );
    const listN = Math.max(20, Math.floor(n / 20));
    await add('GET list limit=50: app.inject (whole route, no socket)', 0, inject(input.listPath), listN);
    await add(
      'connections.listJson (service: 51 stored views, as the route does)',
      1,
      () => sluice.connections.listJson(actor, listRequest),
      listN,
    );
    await add('continuation token (encode, HMAC)', 2, () =>
      cursors.encode(
        { query: listRequest, position: { value: 1, id: connectionId } },
        `connections|${actor.orgId}|${actor.sandboxId}`,
      ),
    );
    await add(
      'connections.list (service: read+parse 51 rows, mask 51; the filtered path)',
      1,
      () => sluice.connections.list(actor, listRequest),
      listN,
    );
    await add(
      'response body of 50 stored items (concatenation, as the route does)',
      1,
      () => listEnvelopeJson('connections', pageJson),
      listN,
    );
    await add(
      '  JSON.stringify of the 50 built items (the route before)',
      1,
      () => JSON.stringify(listBody),
      listN,
    );
    await add(
      '  fast-json-stringify of the 50 built items (two changes ago)',
      1,
      () => serializeList(listBody),
      listN,
    );
  } finally {
    raw.close();
  }
  return timings;
}
