/** Organizations, sandboxes, API clients and access tokens. Secrets are stored only as hashes. */
import type { Kysely } from 'kysely';
import type { AccessToken, ApiClient, Organization, Sandbox } from '../domain/tenancy.ts';
import { prepareQuery } from './prepared.ts';
import type { AccessTokensTable, ApiClientsTable, Database } from './schema.ts';

/** What one request's credentials name, read in one statement (`findCredentials`). */
export interface StoredCredentials {
  readonly token: AccessToken;
  /** The API client with the requested id, whatever its org (the caller checks it). */
  readonly client: ApiClient | undefined;
  /** The sandbox of that name in the token's org. */
  readonly sandbox: Sandbox | undefined;
}

export interface IdentityRepository {
  insertOrg(org: Organization): Promise<void>;
  getOrg(id: string): Promise<Organization | undefined>;
  listOrgs(): Promise<Organization[]>;
  insertSandbox(sandbox: Sandbox): Promise<void>;
  findSandbox(orgId: string, name: string): Promise<Sandbox | undefined>;
  listSandboxes(orgId: string): Promise<Sandbox[]>;
  insertClient(client: ApiClient): Promise<void>;
  getClient(id: string): Promise<ApiClient | undefined>;
  insertToken(token: AccessToken): Promise<void>;
  getToken(id: string): Promise<AccessToken | undefined>;
  listTokens(orgId: string): Promise<AccessToken[]>;
  revokeToken(id: string, at: number): Promise<boolean>;
  revokeClient(id: string, at: number): Promise<boolean>;
  /**
   * The access token `tokenId`, the API client `clientId` and the sandbox `sandboxName` of the token's org,
   * in one statement (the authentication of every request); undefined when the token does not exist.
   * A null id or name looks nothing up.
   */
  findCredentials(
    tokenId: string,
    clientId: string | null,
    sandboxName: string | null,
  ): Promise<StoredCredentials | undefined>;
}

interface CredentialsRow extends AccessTokensTable {
  client_id: string | null;
  client_org_id: string | null;
  client_name: string | null;
  client_key_hash: string | null;
  client_created_at: number | null;
  client_revoked_at: number | null;
  sandbox_id: string | null;
  sandbox_name: string | null;
  sandbox_title: string | null;
  sandbox_created_at: number | null;
}

const clientFromRow = (row: ApiClientsTable): ApiClient => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  keyHash: row.key_hash,
  createdAt: row.created_at,
  revokedAt: row.revoked_at === null ? null : row.revoked_at,
});

const tokenFromRow = (row: AccessTokensTable): AccessToken => ({
  id: row.id,
  orgId: row.org_id,
  userId: row.user_id,
  name: row.name,
  tokenHash: row.token_hash,
  readOnly: row.read_only === 1,
  createdAt: row.created_at,
  expiresAt: row.expires_at === null ? null : row.expires_at,
  revokedAt: row.revoked_at === null ? null : row.revoked_at,
});

export function createIdentityRepository(db: Kysely<Database>): IdentityRepository {
  const credentials = prepareQuery<Database, CredentialsRow, [string, string | null, string | null]>(
    db,
    3,
    (arg) =>
      db
        .selectFrom('access_tokens as t')
        .leftJoin('api_clients as c', (join) => join.on('c.id', '=', arg(1)))
        .leftJoin('sandboxes as s', (join) =>
          join.onRef('s.org_id', '=', 't.org_id').on('s.name', '=', arg(2)),
        )
        .select([
          't.id',
          't.org_id',
          't.user_id',
          't.name',
          't.token_hash',
          't.read_only',
          't.created_at',
          't.expires_at',
          't.revoked_at',
          'c.id as client_id',
          'c.org_id as client_org_id',
          'c.name as client_name',
          'c.key_hash as client_key_hash',
          'c.created_at as client_created_at',
          'c.revoked_at as client_revoked_at',
          's.id as sandbox_id',
          's.name as sandbox_name',
          's.title as sandbox_title',
          's.created_at as sandbox_created_at',
        ])
        .where('t.id', '=', arg(0)),
  );
  return {
    async findCredentials(tokenId, clientId, sandboxName) {
      const [row] = await credentials(tokenId, clientId, sandboxName);
      if (row === undefined) return undefined;
      return {
        token: tokenFromRow(row),
        client:
          row.client_id === null
            ? undefined
            : clientFromRow({
                id: row.client_id,
                org_id: row.client_org_id ?? '',
                name: row.client_name ?? '',
                key_hash: row.client_key_hash ?? '',
                created_at: row.client_created_at ?? 0,
                revoked_at: row.client_revoked_at,
              }),
        sandbox:
          row.sandbox_id === null
            ? undefined
            : {
                id: row.sandbox_id,
                orgId: row.org_id,
                name: row.sandbox_name ?? '',
                title: row.sandbox_title ?? '',
                createdAt: row.sandbox_created_at ?? 0,
              },
      };
    },
    async insertOrg(org) {
      await db.insertInto('orgs').values({ id: org.id, name: org.name, created_at: org.createdAt }).execute();
    },
    async getOrg(id) {
      const row = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? { id: row.id, name: row.name, createdAt: row.created_at } : undefined;
    },
    async listOrgs() {
      const rows = await db.selectFrom('orgs').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }));
    },
    async insertSandbox(sandbox) {
      await db
        .insertInto('sandboxes')
        .values({
          id: sandbox.id,
          org_id: sandbox.orgId,
          name: sandbox.name,
          title: sandbox.title,
          created_at: sandbox.createdAt,
        })
        .execute();
    },
    async findSandbox(orgId, name) {
      const row = await db
        .selectFrom('sandboxes')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row
        ? { id: row.id, orgId: row.org_id, name: row.name, title: row.title, createdAt: row.created_at }
        : undefined;
    },
    async listSandboxes(orgId) {
      const rows = await db
        .selectFrom('sandboxes')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('name')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        orgId: row.org_id,
        name: row.name,
        title: row.title,
        createdAt: row.created_at,
      }));
    },
    async insertClient(client) {
      await db
        .insertInto('api_clients')
        .values({
          id: client.id,
          org_id: client.orgId,
          name: client.name,
          key_hash: client.keyHash,
          created_at: client.createdAt,
          revoked_at: client.revokedAt,
        })
        .execute();
    },
    async getClient(id) {
      const row = await db.selectFrom('api_clients').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? clientFromRow(row) : undefined;
    },
    async insertToken(token) {
      await db
        .insertInto('access_tokens')
        .values({
          id: token.id,
          org_id: token.orgId,
          user_id: token.userId,
          name: token.name,
          token_hash: token.tokenHash,
          read_only: token.readOnly ? 1 : 0,
          created_at: token.createdAt,
          expires_at: token.expiresAt,
          revoked_at: token.revokedAt,
        })
        .execute();
    },
    async getToken(id) {
      const row = await db.selectFrom('access_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? tokenFromRow(row) : undefined;
    },
    async listTokens(orgId) {
      const rows = await db
        .selectFrom('access_tokens')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(tokenFromRow);
    },
    async revokeToken(id, at) {
      const result = await db
        .updateTable('access_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async revokeClient(id, at) {
      const result = await db
        .updateTable('api_clients')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
