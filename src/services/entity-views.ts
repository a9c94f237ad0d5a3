/**
 * The stored representations of instance entities (store/entity-repository.ts `withViews`): each write
 * stores the entity's GET item as JSON text, and GET and unfiltered lists serve that text as it is.
 *
 * Guarantees:
 * - A stored view is the text the service would build from the stored body (the repository builds it
 *   from the body as it is read back), so a response is the same bytes either way.
 * - A view is used only while its key is the current one: `VIEW_VERSION` (bump it with any change to a
 *   representation) and a fingerprint of the catalog parts the representation depends on (for
 *   connections, the auth specs that say which params are secret). Any other key, or none (rows written
 *   before migration 010, or by a plain repository), is represented from the body on read.
 * - Views hold only the entity's own masked data; nothing of a request (host, links) is in them.
 */
import { hash } from 'node:crypto';

/** The version of every entity representation; bump it whenever a `represent` changes its output. */
export const VIEW_VERSION = 1;

/** A view key: the collection, VIEW_VERSION and a digest of what else the representation depends on. */
export function viewKey(collection: string, dependsOn: unknown): string {
  return `${collection}/${VIEW_VERSION}/${hash('sha256', JSON.stringify(dependsOn ?? null), 'base64url').slice(0, 22)}`;
}

/** `{"items":[<item>]}`: the GET body of one item, from its JSON text. */
export const itemsJson = (item: string): string => `{"items":[${item}]}`;
