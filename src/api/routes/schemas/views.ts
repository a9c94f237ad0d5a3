/**
 * Schema Registry representations, chosen by the `Accept` header as Adobe's registry does:
 * `application/vnd.adobe.xed+json` (raw: `allOf` as stored), `xed-full+json` (the fields merged into
 * `properties`), their `-notext` forms (no titles or descriptions), and `xed-id+json` (a summary: `$id`,
 * `meta:altId`, `version`, `title`; the default of lists). `; version=1` is the only major version.
 * `application/json`, `*\/*` or no header give the default of the call.
 */
import { AppError } from '../../../domain/errors.ts';
import { schemaIds, XDM_RECORD_CLASS, type XdmSchema } from '../../../domain/xdm.ts';

export const SCHEMA_REGISTRY_PREFIX = '/data/foundation/schemaregistry';

export interface SchemaVariant {
  readonly summary: boolean;
  readonly full: boolean;
  readonly noText: boolean;
}

export const SUMMARY: SchemaVariant = { summary: true, full: false, noText: false };
export const RAW: SchemaVariant = { summary: false, full: false, noText: false };
const FULL: SchemaVariant = { summary: false, full: true, noText: false };

const VARIANTS: Readonly<Record<string, SchemaVariant>> = {
  'application/vnd.adobe.xed-id+json': SUMMARY,
  'application/vnd.adobe.xed+json': RAW,
  'application/vnd.adobe.xed-full+json': FULL,
  'application/vnd.adobe.xed-notext+json': { ...RAW, noText: true },
  'application/vnd.adobe.xed-full-notext+json': { ...FULL, noText: true },
  // Sluice has no descriptors and no deprecated fields: these are the full form.
  'application/vnd.adobe.xed-full-desc+json': FULL,
  'application/vnd.adobe.xed-deprecatefield+json': FULL,
};
const ANY = new Set(['*/*', 'application/*', 'application/json']);

/** The first acceptable media type of the header, or `fallback` for a generic one; else 406. */
export function parseAccept(header: string | undefined, fallback: SchemaVariant): SchemaVariant {
  if (header === undefined || header.trim() === '') return fallback;
  for (const part of header.split(',')) {
    const [type = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const version = params.find((param) => param.startsWith('version='))?.slice('version='.length);
    if (version !== undefined && version !== '1' && version !== '1.0') continue;
    if (ANY.has(type)) return fallback;
    const variant = VARIANTS[type];
    if (variant !== undefined) return variant;
  }
  throw new AppError(
    'XDM-1004-406',
    'The Accept header names no representation this Schema Registry serves; use application/vnd.adobe.xed+json; version=1 (or xed-full, xed-notext, xed-full-notext; xed-id for a summary).',
  );
}

/** A schema or field node without its `title` and `description` (field names in `properties` stay). */
function withoutText(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'title' || key === 'description') continue;
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, field]) => [name, withoutText(field as Record<string, unknown>)]),
      );
    } else if (key === 'allOf' && Array.isArray(value)) {
      out[key] = value.map((entry) => withoutText(entry as Record<string, unknown>));
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function schemaView(schema: XdmSchema, variant: SchemaVariant): Record<string, unknown> {
  const { $id, altId } = schemaIds(schema.tenantId, schema.id);
  const { definition } = schema;
  if (variant.summary) return { $id, 'meta:altId': altId, version: schema.version, title: definition.title };
  const view: Record<string, unknown> = {
    $id,
    'meta:altId': altId,
    'meta:resourceType': 'schemas',
    version: schema.version,
    title: definition.title,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    type: 'object',
    ...(variant.full ? { properties: definition.properties } : { allOf: definition.allOf }),
    'meta:class': definition.class,
    'meta:abstract': false,
    'meta:extensible': false,
    'meta:extends': [...new Set([definition.class, XDM_RECORD_CLASS])],
    'meta:containerId': 'tenant',
    imsOrg: schema.imsOrg,
    'meta:xdmType': 'object',
    'meta:registryMetadata': {
      'repo:createdDate': schema.created,
      'repo:lastModifiedDate': schema.updated,
      'xdm:createdClientId': schema.createdClient,
      'xdm:lastModifiedClientId': schema.updatedClient,
      'xdm:createdUserId': schema.createdUser,
      'xdm:lastModifiedUserId': schema.updatedUser,
      eTag: schema.eTag,
    },
    'meta:sandboxId': schema.sandboxId,
    'meta:tenantNamespace': `_${schema.tenantId}`,
  };
  return variant.noText ? withoutText(view) : view;
}
