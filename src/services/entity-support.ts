/** Shared steps of every entity use case: tenant-scoped load (404), If-Match checks (400/412), optimistic save. */
import type { EntityMeta } from '../domain/entity.ts';
import { AppError } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import {
  assertDocumentSize,
  assertDocumentWithinLimits,
  assertNameAndDescription,
  documentLimits,
  type DocumentLimits,
} from '../domain/limits.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import type { EntityRepository, ViewingRepository } from '../store/entity-repository.ts';
import { applyPatch, assertPatchable, etagMatches, parsePatch, type PatchOperation } from './patch.ts';

export const tenantOf = (actor: Actor): Tenant => ({
  orgId: actor.orgId,
  sandboxId: actor.sandboxId,
  sandboxName: actor.sandboxName,
});

export const notFound = (type: string, id: string): AppError =>
  new AppError(
    'FLOW-1439-404',
    `The requested ${type} resource ${id} is not found. Verify the resource ID before trying again.`,
    {
      id,
      type,
    },
  );

export async function loadEntity<E extends EntityMeta>(
  repository: EntityRepository<E>,
  tenant: Tenant,
  id: string,
  type: string,
): Promise<E> {
  const entity = isUuid(id) ? await repository.get(tenant, id) : undefined;
  if (!entity) throw notFound(type, id);
  return entity;
}

/** `loadEntity` as the entity's stored response item (JSON text, see entity-views.ts): 404 the same way. */
export async function loadEntityJson<E extends EntityMeta>(
  repository: ViewingRepository<E>,
  tenant: Tenant,
  id: string,
  type: string,
): Promise<string> {
  const view = isUuid(id) ? await repository.getView(tenant, id) : undefined;
  if (view === undefined) throw notFound(type, id);
  return view;
}

export function requireEtag(entity: EntityMeta, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw new AppError(
      'FLOW-1403-400',
      "The header 'If-Match' is missing; send the entity's current etag (with its quotes).",
    );
  }
  if (!etagMatches(ifMatch, entity.etag)) {
    throw new AppError(
      'FLOW-1404-412',
      `Supplied version=[${ifMatch}] does not match the current version on entity=[${entity.etag}]; GET the entity and retry with its etag.`,
    );
  }
}

export async function saveEntity<E extends EntityMeta>(
  repository: EntityRepository<E>,
  next: E,
  expectedEtag: string,
): Promise<{ id: string; etag: string }> {
  if (!(await repository.update(next, expectedEtag))) {
    throw new AppError(
      'FLOW-1404-412',
      `The entity ${next.id} was changed by another request; GET it and retry with its new etag.`,
    );
  }
  return { id: next.id, etag: next.etag };
}

/** Fields the server owns; a create body that sets them is refused (Adobe: 1410). */
export const SERVER_OWNED_FIELDS = [
  'id',
  'state',
  'etag',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'imsOrgId',
  'sandboxId',
  'sandboxName',
];

export interface PatchRules {
  /** Paths (and their sub-paths) a client may change. */
  readonly allowed: readonly string[];
  /** Top-level paths that may never change, with the error that says why. */
  readonly immutable: Readonly<Record<string, AppError>>;
  /** The limits request bodies have (default: those of the default body limit, 1 MiB). */
  readonly limits?: DocumentLimits | undefined;
}

export const DEFAULT_DOCUMENT_LIMITS = documentLimits(1024 * 1024);

/**
 * The PATCH step every entity shares: If-Match, the JSON Patch document, the paths it may touch, applying it
 * to the editable view, and the checks of `name` and `description`. The patched view is held to the same
 * limits as a request body (NUL, string length, depth, size as JSON), so PATCH cannot store what POST
 * refuses. The caller validates the rest.
 */
export function patchEntity<T extends { readonly name: string; readonly description?: string | undefined }>(
  entity: EntityMeta,
  ifMatch: string | undefined,
  body: unknown,
  rules: PatchRules,
  editable: T,
): { patched: T; operations: PatchOperation[] } {
  requireEtag(entity, ifMatch);
  const operations = parsePatch(body);
  assertPatchable(operations, rules);
  const patched = applyPatch(editable, operations);
  const limits = rules.limits ?? DEFAULT_DOCUMENT_LIMITS;
  assertDocumentWithinLimits(patched, limits);
  assertDocumentSize(patched, limits, 'The entity');
  if (typeof patched.name !== 'string' || patched.name.trim() === '') {
    throw new AppError('FLOW-1407-400', "The field 'name' must be a non-empty string.");
  }
  if (patched.description !== undefined && typeof patched.description !== 'string') {
    throw new AppError('FLOW-1407-400', "The field 'description' must be a string.");
  }
  assertNameAndDescription(patched);
  return { patched, operations };
}

/** An entity as the API returns it: `version` carries the etag, as in Adobe's responses. */
export const withVersion = <E extends EntityMeta>(entity: E): E & { readonly version: string } => ({
  ...entity,
  version: entity.etag,
});
