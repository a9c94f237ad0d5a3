import type { Actor } from './tenancy.ts';

/** The metadata Adobe returns on every instance entity (flow-service-api.md §1.4). */
export interface EntityMeta {
  readonly id: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string;
  readonly updatedBy: string;
  readonly createdClient: string;
  readonly updatedClient: string;
  readonly sandboxId: string;
  readonly sandboxName: string;
  readonly imsOrgId: string;
  /** Quoted etag; `version` in responses carries the same value. */
  readonly etag: string;
}

export function createdMeta(id: string, actor: Actor, etag: string, now: number): EntityMeta {
  return {
    id,
    createdAt: now,
    updatedAt: now,
    createdBy: actor.userId,
    updatedBy: actor.userId,
    createdClient: actor.clientId,
    updatedClient: actor.clientId,
    sandboxId: actor.sandboxId,
    sandboxName: actor.sandboxName,
    imsOrgId: actor.orgId,
    etag,
  };
}

export function updatedMeta<T extends EntityMeta>(entity: T, actor: Actor, etag: string, now: number): T {
  return { ...entity, updatedAt: now, updatedBy: actor.userId, updatedClient: actor.clientId, etag };
}
