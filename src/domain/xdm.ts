/**
 * XDM schemas of the Schema Registry subset (`/data/foundation/schemaregistry/tenant/schemas`): a
 * schema has a `title`, `type: "object"`, a class with record behaviour (`meta:class`) and fields of
 * XDM scalar types and formats, inline in `allOf` entries (`{"properties": {...}}`) or in top-level
 * `properties`. The registry assigns `$id` (`https://ns.adobe.com/{TENANT_ID}/schemas/{32 hex}`) and
 * `meta:altId` (`_{TENANT_ID}.schemas.{32 hex}`); either finds the schema.
 *
 * Sluice ships no standard field groups or data types: a `$ref` to anything but a record class is a
 * clear 400 (declare the fields inline). The XDM Individual Profile class is accepted as a record class,
 * but contributes no fields of its own.
 */
import type { DatasetSchema } from './dataset.ts';
import { datasetFieldsOf, mergeXdmProperties, parseXdmProperties, type XdmProperties } from './xdm-fields.ts';

export const XDM_RECORD_CLASS = 'https://ns.adobe.com/xdm/data/record';
export const XDM_PROFILE_CLASS = 'https://ns.adobe.com/xdm/context/profile';
export const RECORD_CLASSES: readonly string[] = [XDM_RECORD_CLASS, XDM_PROFILE_CLASS];
const TIME_SERIES_CLASSES = [
  'https://ns.adobe.com/xdm/data/time-series',
  'https://ns.adobe.com/xdm/context/experienceevent',
];

/** Keys the registry assigns; a create body must not set them. */
export const SERVER_OWNED_KEYS = [
  '$id',
  'meta:altId',
  'version',
  'meta:resourceType',
  'meta:registryMetadata',
  'imsOrg',
  'meta:containerId',
  'meta:sandboxId',
  'meta:sandboxType',
  'meta:tenantNamespace',
];
/** Keys a body may carry (e.g. copied from a GET) that the registry derives itself; accepted, not used. */
const DERIVED_KEYS = ['meta:extends', 'meta:abstract', 'meta:extensible', 'meta:xdmType', '$schema'];
const KNOWN_KEYS = ['title', 'description', 'type', 'allOf', 'properties', 'meta:class'];

/** One `allOf` entry as stored: the class reference, or inline fields. */
export type XdmAllOfEntry =
  | { readonly $ref: string; readonly type: 'object'; readonly 'meta:xdmType': 'object' }
  | { readonly properties: XdmProperties; readonly type: 'object'; readonly 'meta:xdmType': 'object' };

/** A checked schema definition: what the client defines (the registry adds ids and metadata). */
export interface XdmSchemaDefinition {
  readonly title: string;
  readonly description?: string;
  readonly class: string;
  readonly allOf: readonly XdmAllOfEntry[];
  /** Every field of the schema, merged (the `xed-full` view). */
  readonly properties: XdmProperties;
}

export type XdmParseResult =
  | { readonly ok: true; readonly definition: XdmSchemaDefinition }
  | {
      readonly ok: false;
      /** `unsupported`: a reference Sluice does not have; `readOnly`: server-owned keys were sent. */
      readonly kind: 'invalid' | 'unsupported' | 'readOnly';
      readonly problems: string[];
    };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const refProblem = (ref: string): string =>
  TIME_SERIES_CLASSES.includes(ref)
    ? `allOf: ${ref} has time-series behaviour; Sluice's datasets take record classes only (${XDM_RECORD_CLASS})`
    : `allOf: Sluice's Schema Registry has no class, field group or data type ${ref}; use the class ${XDM_RECORD_CLASS} and declare the fields inline in an allOf entry {"properties": {...}}`;

/** Checks a `POST /tenant/schemas` body; every problem is listed at once, naming its path. */
export function parseXdmSchemaBody(body: unknown): XdmParseResult {
  if (!isRecord(body)) {
    return {
      ok: false,
      kind: 'invalid',
      problems: ['the body must be an XDM schema object: {"title", "type": "object", "allOf": [...]}'],
    };
  }
  const readOnly = Object.keys(body).filter((key) => SERVER_OWNED_KEYS.includes(key));
  if (readOnly.length > 0) {
    return {
      ok: false,
      kind: 'readOnly',
      problems: [`${readOnly.join(', ')}: assigned by the Schema Registry; remove them from the body`],
    };
  }
  const problems: string[] = [];
  const unsupported: string[] = [];
  const unknown = Object.keys(body).filter((key) => !KNOWN_KEYS.includes(key) && !DERIVED_KEYS.includes(key));
  if (unknown.length > 0) {
    problems.push(
      `${unknown.join(', ')}: not supported; a schema takes title, description, type, allOf and properties`,
    );
  }
  const { title, description, type } = body;
  if (typeof title !== 'string' || title.trim() === '' || title.length > 256) {
    problems.push('title: required, a non-empty string of at most 256 characters');
  }
  if (description !== undefined && typeof description !== 'string')
    problems.push('description: must be a string');
  if (type !== 'object') problems.push('type: must be "object"');

  const classes: string[] = [];
  const allOf: XdmAllOfEntry[] = [];
  const parts: XdmProperties[] = [];
  const rawAllOf = body['allOf'] ?? [];
  if (!Array.isArray(rawAllOf))
    problems.push('allOf: must be an array of {"$ref": ...} and {"properties": ...} entries');
  for (const [index, entry] of (Array.isArray(rawAllOf) ? rawAllOf : []).entries()) {
    const at = `allOf[${index}]`;
    if (isRecord(entry) && typeof entry['$ref'] === 'string') {
      const ref = entry['$ref'];
      if (RECORD_CLASSES.includes(ref)) {
        classes.push(ref);
        allOf.push({ $ref: ref, type: 'object', 'meta:xdmType': 'object' });
      } else {
        unsupported.push(refProblem(ref).replace('allOf:', `${at}:`));
      }
    } else if (isRecord(entry) && entry['properties'] !== undefined) {
      const properties = parseXdmProperties(entry['properties'], `${at}.properties`, problems);
      parts.push(properties);
      allOf.push({ properties, type: 'object', 'meta:xdmType': 'object' });
    } else {
      problems.push(`${at}: must be {"$ref": "<class>"} or {"properties": {...}}`);
    }
  }
  if (body['properties'] !== undefined) {
    const properties = parseXdmProperties(body['properties'], 'properties', problems);
    parts.push(properties);
    allOf.push({ properties, type: 'object', 'meta:xdmType': 'object' });
  }
  const metaClass = body['meta:class'];
  if (metaClass !== undefined) {
    if (typeof metaClass !== 'string') problems.push('meta:class: must be a class $id');
    else if (!RECORD_CLASSES.includes(metaClass))
      unsupported.push(refProblem(metaClass).replace('allOf:', 'meta:class:'));
    else if (classes.length === 0) {
      classes.push(metaClass);
      allOf.unshift({ $ref: metaClass, type: 'object', 'meta:xdmType': 'object' });
    } else if (!classes.includes(metaClass))
      problems.push(`meta:class: differs from the class in allOf (${classes[0] ?? ''})`);
  }
  if (new Set(classes).size > 1) problems.push('allOf: a schema has exactly one class');
  if (classes.length === 0 && unsupported.length === 0) {
    problems.push(`allOf: a schema needs a class; add {"$ref": "${XDM_RECORD_CLASS}"}`);
  }
  const properties = mergeXdmProperties(parts, 'properties', problems);
  if (unsupported.length > 0)
    return { ok: false, kind: 'unsupported', problems: [...unsupported, ...problems] };
  if (problems.length > 0) return { ok: false, kind: 'invalid', problems };
  return {
    ok: true,
    definition: {
      title: (title as string).trim(),
      ...(typeof description === 'string' ? { description } : {}),
      class: classes[0] ?? XDM_RECORD_CLASS,
      allOf,
      properties,
    },
  };
}

/** The lake columns of a schema: its merged fields with Sluice's normalized types. */
export function datasetSchemaOfXdm(definition: XdmSchemaDefinition): DatasetSchema {
  return { fields: datasetFieldsOf(definition.properties) };
}

/** A tenant's XDM namespace: `{TENANT_ID}` of `$id`s, from the org id (stable, lower-case, alphanumeric). */
export function tenantIdOf(orgId: string): string {
  const id = (orgId.split('@')[0] ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
  return id === '' ? 'tenant' : id.slice(0, 24);
}

/** A schema's two identifiers. */
export const schemaIds = (tenantId: string, id: string) => ({
  $id: `https://ns.adobe.com/${tenantId}/schemas/${id}`,
  altId: `_${tenantId}.schemas.${id}`,
});

/** Schema ids: 32 lower-case hex characters (the last segment of `$id` and `meta:altId`). */
export const XDM_SCHEMA_ID = /^[0-9a-f]{32}$/;

/** The 32-hex id in a `$id`, a `meta:altId` or the bare id; undefined when it is none of them. */
export function schemaIdFrom(reference: string): string | undefined {
  const match =
    /^https:\/\/ns\.adobe\.com\/[a-z0-9]+\/schemas\/([0-9a-f]{32})$/.exec(reference) ??
    /^_[a-z0-9]+\.schemas\.([0-9a-f]{32})$/.exec(reference) ??
    /^([0-9a-f]{32})$/.exec(reference);
  return match?.[1];
}

/** A stored schema of a tenant. Times are epoch milliseconds. */
export interface XdmSchema {
  /** 32 hex; `$id` and `meta:altId` derive from it and from `tenantId`. */
  readonly id: string;
  readonly tenantId: string;
  readonly imsOrg: string;
  readonly sandboxId: string;
  readonly sandboxName: string;
  readonly definition: XdmSchemaDefinition;
  /** Sluice's schemas are never revised: always `1.0`. */
  readonly version: string;
  readonly created: number;
  readonly updated: number;
  readonly createdUser: string;
  readonly createdClient: string;
  readonly updatedUser: string;
  readonly updatedClient: string;
  /** Changes with every write (there are none yet besides creation). */
  readonly eTag: string;
}
