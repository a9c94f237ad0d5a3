/**
 * Organizations, sandboxes, API keys and access tokens, and the authentication of every request.
 * Keys and tokens are shown once at creation and stored only as SHA-256 hashes, compared in constant time.
 */
import { hash } from 'node:crypto';
import { AppError } from '../domain/errors.ts';
import { newId, newOrgId, newUserId } from '../domain/ids.ts';
import {
  SANDBOX_NAME,
  type AccessToken,
  type Actor,
  type Organization,
  type Sandbox,
} from '../domain/tenancy.ts';
import { generateSecret, hashSecret, parseSecret, secretMatches } from '../crypto/tokens.ts';
import type { IdentityRepository } from '../store/identity-repository.ts';

export const TOKEN_PREFIX = 'slt';
export const API_KEY_PREFIX = 'slk';

export interface RequestCredentials {
  readonly authorization: string | undefined;
  readonly apiKey: string | undefined;
  readonly orgId: string | undefined;
  readonly sandboxName: string | undefined;
}

export interface AuthenticatedActor extends Actor {
  readonly readOnly: boolean;
  readonly tokenId: string;
  readonly expiresAt: number | null;
}

export interface IssuedCredentials {
  readonly org: Organization;
  readonly sandbox: Sandbox;
  readonly accessToken: string;
  readonly apiKey: string;
}

export interface IdentityService {
  /** On an empty store: a default org with its `prod` sandbox, an API key and a token. */
  bootstrap(): Promise<
    { created: true; credentials: IssuedCredentials } | { created: false; orgs: Organization[] }
  >;
  createOrg(name: string): Promise<IssuedCredentials>;
  createSandbox(orgId: string, name: string, title?: string): Promise<Sandbox>;
  createToken(
    orgId: string,
    options?: { name?: string; readOnly?: boolean; expiresInDays?: number },
  ): Promise<{ token: AccessToken; value: string }>;
  createApiKey(orgId: string, name?: string): Promise<{ id: string; value: string }>;
  revokeToken(tokenId: string): Promise<void>;
  listOrgs(): Promise<Organization[]>;
  listSandboxes(orgId: string): Promise<Sandbox[]>;
  listTokens(orgId: string): Promise<AccessToken[]>;
  authenticate(
    credentials: RequestCredentials,
    options: { defaultSandbox: boolean },
  ): Promise<AuthenticatedActor>;
  /**
   * The gateway checks without a sandbox (token, API key, org), for org-level calls such as the
   * Sandbox Management API: every check and error of `authenticate` except the sandbox's.
   */
  authenticateOrg(credentials: Omit<RequestCredentials, 'sandboxName'>): Promise<OrgPrincipal>;
}

/** Who calls an org-level route: the token's org, user, client and permissions. */
export interface OrgPrincipal {
  readonly orgId: string;
  readonly userId: string;
  readonly clientId: string;
  readonly readOnly: boolean;
  readonly tokenId: string;
  readonly tokenName: string;
  readonly expiresAt: number | null;
}

export function createIdentityService(
  repo: IdentityRepository,
  now: () => number = Date.now,
): IdentityService {
  const requireOrg = async (orgId: string): Promise<Organization> => {
    const org = await repo.getOrg(orgId);
    if (!org)
      throw new AppError('FLOW-1439-404', `The organization '${orgId}' does not exist.`, {
        type: 'orgs',
        id: orgId,
      });
    return org;
  };

  const service: IdentityService = {
    async bootstrap() {
      const orgs = await repo.listOrgs();
      if (orgs.length > 0) return { created: false, orgs };
      return { created: true, credentials: await service.createOrg('Default Organization') };
    },

    async createOrg(name) {
      const org: Organization = { id: newOrgId(), name, createdAt: now() };
      await repo.insertOrg(org);
      const sandbox = await service.createSandbox(org.id, 'prod', 'Production');
      const apiKey = await service.createApiKey(org.id, 'sluice');
      const { value } = await service.createToken(org.id, { name: 'bootstrap' });
      return { org, sandbox, accessToken: value, apiKey: apiKey.value };
    },

    async createSandbox(orgId, name, title) {
      await requireOrg(orgId);
      if (!SANDBOX_NAME.test(name)) {
        throw new AppError(
          'FLOW-1407-400',
          `The sandbox name '${name}' is invalid; use lower-case letters, digits and hyphens, starting with a letter.`,
        );
      }
      if (await repo.findSandbox(orgId, name)) {
        throw new AppError('FLOW-1407-400', `The sandbox '${name}' already exists in this organization.`);
      }
      const sandbox: Sandbox = { id: newId(), orgId, name, title: title ?? name, createdAt: now() };
      await repo.insertSandbox(sandbox);
      return sandbox;
    },

    async createToken(orgId, options = {}) {
      await requireOrg(orgId);
      const secret = generateSecret(TOKEN_PREFIX);
      const created = now();
      const token: AccessToken = {
        id: secret.id,
        orgId,
        userId: newUserId(),
        name: options.name ?? 'token',
        tokenHash: hashSecret(secret.secret),
        readOnly: options.readOnly ?? false,
        createdAt: created,
        expiresAt: options.expiresInDays === undefined ? null : created + options.expiresInDays * 86_400_000,
        revokedAt: null,
      };
      await repo.insertToken(token);
      return { token, value: secret.value };
    },

    async createApiKey(orgId, name = 'sluice') {
      await requireOrg(orgId);
      const secret = generateSecret(API_KEY_PREFIX);
      await repo.insertClient({
        id: secret.id,
        orgId,
        name,
        keyHash: hashSecret(secret.secret),
        createdAt: now(),
        revokedAt: null,
      });
      return { id: secret.id, value: secret.value };
    },

    async revokeToken(tokenId) {
      const revoked = await repo.revokeToken(tokenId, now());
      if (!revoked) {
        throw new AppError('FLOW-1439-404', `No active access token with id '${tokenId}'.`, {
          type: 'tokens',
          id: tokenId,
        });
      }
    },

    listOrgs: () => repo.listOrgs(),
    listSandboxes: (orgId) => repo.listSandboxes(orgId),
    listTokens: (orgId) => repo.listTokens(orgId),

    async authenticate(credentials, options) {
      let sandboxName = credentials.sandboxName?.trim();
      if ((sandboxName === undefined || sandboxName === '') && options.defaultSandbox) sandboxName = 'prod';
      const { principal, sandbox } = await gatewayCheck(credentials, sandboxName || undefined);
      if (sandboxName === undefined || sandboxName === '') {
        throw new AppError(
          'FLOW-2105-400',
          'The header x-sandbox-name is missing in the request; send the sandbox name, e.g. prod.',
        );
      }
      if (!sandbox) {
        throw new AppError(
          'FLOW-2100-404',
          `The sandbox with the name '${sandboxName}' could not be found in this organization.`,
        );
      }
      return {
        orgId: principal.orgId,
        sandboxId: sandbox.id,
        sandboxName: sandbox.name,
        userId: principal.userId,
        clientId: principal.clientId,
        readOnly: principal.readOnly,
        tokenId: principal.tokenId,
        expiresAt: principal.expiresAt,
      };
    },

    async authenticateOrg(credentials) {
      return (await gatewayCheck(credentials, undefined)).principal;
    },
  };

  /**
   * Every gateway check, in the order Adobe's gateway answers them, on one store read: the token, the API
   * key's client and (when `sandboxName` is given) the sandbox of the token's org come back together.
   */
  async function gatewayCheck(
    credentials: Omit<RequestCredentials, 'sandboxName'>,
    sandboxName: string | undefined,
  ): Promise<{ principal: OrgPrincipal; sandbox: Sandbox | undefined }> {
    const { authorization } = credentials;
    if (authorization === undefined || authorization.trim() === '') {
      throw new AppError(
        'GATEWAY-403010-403',
        'Oauth token is missing. Send the header Authorization: Bearer <access token>.',
      );
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const parsed = bearer?.[1] === undefined ? undefined : parseSecret(TOKEN_PREFIX, bearer[1]);
    if (!parsed) {
      throw new AppError(
        'GATEWAY-401013-401',
        "Oauth token is not valid: the Authorization header must be 'Bearer <access token>' with a token issued by this Sluice (sluice tokens create).",
      );
    }
    const apiKey = credentials.apiKey?.trim();
    const key = apiKey === undefined || apiKey === '' ? undefined : parseSecret(API_KEY_PREFIX, apiKey);
    const stored = await repo.findCredentials(parsed.id, key?.id ?? null, sandboxName ?? null);
    const token = stored?.token;
    if (!token || !secretMatches(parsed.secret, token.tokenHash)) {
      throw new AppError('GATEWAY-401013-401', 'Oauth token is not valid: it is not known to this server.');
    }
    if (token.revokedAt !== null) {
      throw new AppError(
        'GATEWAY-401013-401',
        'Oauth token is not valid: it has been revoked. Create a new one with `sluice tokens create`.',
      );
    }
    if (token.expiresAt !== null && token.expiresAt <= now()) {
      throw new AppError(
        'GATEWAY-401013-401',
        'Oauth token is not valid: it has expired. Create a new one with `sluice tokens create`.',
      );
    }
    if (apiKey === undefined || apiKey === '') {
      throw new AppError('GATEWAY-403000-403', 'Api Key is required: send the header x-api-key.');
    }
    const client = key ? stored.client : undefined;
    if (!key || !client || !secretMatches(key.secret, client.keyHash) || client.revokedAt !== null) {
      throw new AppError(
        'GATEWAY-403003-403',
        'Api Key is invalid: the x-api-key header does not name an active API key.',
      );
    }
    if (client.orgId !== token.orgId) {
      throw new AppError(
        'GATEWAY-403003-403',
        'Api Key is invalid: the API key belongs to a different organization than the access token.',
      );
    }
    const orgId = credentials.orgId?.trim();
    if (orgId === undefined || orgId === '') {
      throw new AppError(
        'GATEWAY-400003-400',
        'Missing header x-gw-ims-org-id: send the id of your organization (e.g. ...@AdobeOrg).',
      );
    }
    if (orgId !== token.orgId) {
      throw new AppError(
        'GATEWAY-403025-403',
        `Profile is not valid: the access token is not entitled to the organization '${orgId}'.`,
      );
    }
    return {
      principal: {
        orgId: token.orgId,
        userId: token.userId,
        clientId: client.name,
        readOnly: token.readOnly,
        tokenId: token.id,
        tokenName: token.name,
        expiresAt: token.expiresAt,
      },
      sandbox: stored.sandbox,
    };
  }
  return service;
}

const CACHE_LIMIT = 10_000;

/**
 * Reuses a successful authentication for the same four header values for `ttlMs`, sparing the three store
 * lookups per request. Revoking a token through this service clears the cache at once; a revocation made by
 * another process (the CLI) takes effect within `ttlMs`. Keys are hashes, so no token is held in the clear.
 */
export function withAuthenticationCache(
  service: IdentityService,
  ttlMs: number,
  now: () => number = Date.now,
): IdentityService {
  if (ttlMs <= 0) return service;
  const cache = new Map<string, { actor: AuthenticatedActor; expires: number }>();
  return {
    ...service,
    async revokeToken(tokenId) {
      cache.clear();
      await service.revokeToken(tokenId);
    },
    async authenticate(credentials, options) {
      // One-shot digest (no Hash object per request); the same value as createHash().update().digest().
      const key = hash(
        'sha256',
        JSON.stringify([
          credentials.authorization,
          credentials.apiKey,
          credentials.orgId,
          credentials.sandboxName,
          options.defaultSandbox,
        ]),
        'base64url',
      );
      const at = now();
      const hit = cache.get(key);
      if (hit && hit.expires > at && (hit.actor.expiresAt === null || hit.actor.expiresAt > at))
        return hit.actor;
      const actor = await service.authenticate(credentials, options);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, { actor, expires: at + ttlMs });
      return actor;
    },
  };
}
