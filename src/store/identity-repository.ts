/** Organizations, sandboxes, API clients and access tokens. Secrets are stored only as hashes. */
import type { Kysely } from 'kysely';
import type { AccessToken, ApiClient, Organization, Sandbox } from '../domain/tenancy.ts';
import type { AccessTokensTable, ApiClientsTable, Database } from './schema.ts';

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
  return {
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
