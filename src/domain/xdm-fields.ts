/**
 * XDM fields (the Schema Registry's compatibility mode: JSON Schema + `meta:xdmType`) and Sluice's
 * normalized types, both ways, as docs/types.md tables them:
 *
 * | XDM property                                         | normalized type |
 * |------------------------------------------------------|-----------------|
 * | `string`                                             | string          |
 * | `string` + `format: date` / `date-time` / `byte`     | date / date-time / binary |
 * | `integer` + `meta:xdmType: long` (or no range given) | long            |
 * | `integer` + `meta:xdmType: int`, `short`, `byte`     | integer         |
 * | `number`                                             | double          |
 * | `number` + `sluice:precision` (`sluice:scale`)       | decimal         |
 * | `boolean`                                            | boolean         |
 * | `object` + `properties`                              | object (nested) |
 *
 * XDM has no decimal type: Sluice writes decimal columns as `number` with its own `sluice:precision`
 * and `sluice:scale`, so a dataset made from the schema keeps them exact. Arrays and maps are refused
 * (a dataset column is a scalar or a nested object).
 */
import type { DatasetField } from './dataset.ts';
import type { NormalizedType } from './types.ts';

/** An XDM property as stored and returned: what the client sent, with `meta:xdmType` always set. */
export type XdmProperty = Readonly<Record<string, unknown>> & {
  readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'object';
  readonly 'meta:xdmType': string;
  readonly properties?: Readonly<Record<string, XdmProperty>>;
};

export type XdmProperties = Readonly<Record<string, XdmProperty>>;

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_DEPTH = 16;
const INT32 = { minimum: -2_147_483_648, maximum: 2_147_483_647 };
const SAFE = { minimum: -9_007_199_254_740_991, maximum: 9_007_199_254_740_991 };
const INTEGER_XDM_TYPES = ['long', 'int', 'short', 'byte'];

/** The XDM property for a column of a normalized type (explore → schema). */
export function xdmPropertyOf(field: {
  readonly type: NormalizedType;
  readonly precision?: number;
  readonly scale?: number;
}): XdmProperty {
  switch (field.type) {
    case 'string':
      return { type: 'string', 'meta:xdmType': 'string' };
    case 'boolean':
      return { type: 'boolean', 'meta:xdmType': 'boolean' };
    case 'integer':
      return { type: 'integer', ...INT32, 'meta:xdmType': 'int' };
    case 'long':
      return { type: 'integer', ...SAFE, 'meta:xdmType': 'long' };
    case 'double':
      return { type: 'number', 'meta:xdmType': 'number' };
    case 'decimal':
      return {
        type: 'number',
        'meta:xdmType': 'number',
        'sluice:precision': field.precision ?? 38,
        'sluice:scale': field.scale ?? 9,
      };
    case 'date':
      return { type: 'string', format: 'date', 'meta:xdmType': 'date' };
    case 'date-time':
      return { type: 'string', format: 'date-time', 'meta:xdmType': 'date-time' };
    case 'binary':
      return { type: 'string', format: 'byte', 'meta:xdmType': 'string' };
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks the `properties` of a schema (or of one `allOf` entry) and returns them with `meta:xdmType`
 * filled in; every problem names the field path. Other JSON Schema keywords are kept as sent.
 */
export function parseXdmProperties(
  raw: unknown,
  path: string,
  problems: string[],
  depth = 0,
): Record<string, XdmProperty> {
  if (!isRecord(raw)) {
    problems.push(`${path}: must be an object mapping field names to XDM fields`);
    return {};
  }
  if (depth > MAX_DEPTH) {
    problems.push(`${path}: objects nest deeper than ${MAX_DEPTH} levels`);
    return {};
  }
  const out: Record<string, XdmProperty> = {};
  for (const [name, value] of Object.entries(raw)) {
    const at = `${path}.${name}`;
    if (!FIELD_NAME.test(name)) {
      problems.push(`${at}: the field name must match ${FIELD_NAME.source}`);
      continue;
    }
    const property = parseProperty(value, at, problems, depth);
    if (property !== undefined) out[name] = property;
  }
  return out;
}

function parseProperty(raw: unknown, at: string, problems: string[], depth: number): XdmProperty | undefined {
  if (!isRecord(raw)) {
    problems.push(`${at}: must be an object such as {"type": "string"}`);
    return undefined;
  }
  const { type, format } = raw;
  const xdmType = raw['meta:xdmType'];
  const mismatch = (expected: string): XdmProperty | undefined => {
    problems.push(`${at}: meta:xdmType must be ${expected} for this type and format`);
    return undefined;
  };
  switch (type) {
    case 'string': {
      const implied = format === 'date' || format === 'date-time' ? format : 'string';
      if (xdmType !== undefined && xdmType !== implied) return mismatch(implied);
      return { ...raw, type, 'meta:xdmType': implied };
    }
    case 'boolean':
      if (xdmType !== undefined && xdmType !== 'boolean') return mismatch('boolean');
      return { ...raw, type, 'meta:xdmType': 'boolean' };
    case 'integer': {
      if (xdmType !== undefined && !INTEGER_XDM_TYPES.includes(xdmType as string)) {
        return mismatch(INTEGER_XDM_TYPES.join(', '));
      }
      const { minimum, maximum } = raw;
      const fitsInt =
        typeof minimum === 'number' &&
        typeof maximum === 'number' &&
        minimum >= INT32.minimum &&
        maximum <= INT32.maximum;
      return { ...raw, type, 'meta:xdmType': (xdmType as string | undefined) ?? (fitsInt ? 'int' : 'long') };
    }
    case 'number': {
      if (xdmType !== undefined && xdmType !== 'number' && xdmType !== 'double') return mismatch('number');
      const precision = raw['sluice:precision'];
      const scale = raw['sluice:scale'] ?? 0;
      if (precision !== undefined) {
        if (
          typeof precision !== 'number' ||
          !Number.isInteger(precision) ||
          precision < 1 ||
          precision > 38
        ) {
          problems.push(`${at}.sluice:precision: must be an integer from 1 to 38`);
          return undefined;
        }
        if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
          problems.push(`${at}.sluice:scale: must be an integer from 0 to sluice:precision`);
          return undefined;
        }
      } else if (raw['sluice:scale'] !== undefined) {
        problems.push(`${at}.sluice:scale: needs sluice:precision`);
        return undefined;
      }
      return { ...raw, type, 'meta:xdmType': 'number' };
    }
    case 'object': {
      if (raw['additionalProperties'] !== undefined && raw['properties'] === undefined) {
        problems.push(
          `${at}: maps (objects with additionalProperties) are not supported; declare properties`,
        );
        return undefined;
      }
      if (xdmType !== undefined && xdmType !== 'object') return mismatch('object');
      const properties = parseXdmProperties(raw['properties'], `${at}.properties`, problems, depth + 1);
      if (Object.keys(properties).length === 0) problems.push(`${at}.properties: an object needs fields`);
      return { ...raw, type, 'meta:xdmType': 'object', properties };
    }
    case 'array':
      problems.push(`${at}: arrays are not supported (a dataset column is a scalar or an object)`);
      return undefined;
    default:
      problems.push(`${at}.type: must be string, number, integer, boolean or object`);
      return undefined;
  }
}

/**
 * Merges the `properties` of several allOf entries: an object met twice merges its fields; any other
 * field met twice (names compared without case, as the lake does) is a problem.
 */
export function mergeXdmProperties(
  parts: readonly XdmProperties[],
  path: string,
  problems: string[],
): Record<string, XdmProperty> {
  const out: Record<string, XdmProperty> = {};
  const byKey = new Map<string, string>();
  for (const part of parts) {
    for (const [name, property] of Object.entries(part)) {
      const key = name.toLowerCase();
      const existing = byKey.get(key);
      const previous = existing === undefined ? undefined : out[existing];
      if (existing === undefined || previous === undefined) {
        byKey.set(key, name);
        out[name] = property;
      } else if (existing === name && previous.type === 'object' && property.type === 'object') {
        out[name] = {
          ...previous,
          properties: mergeXdmProperties(
            [previous.properties ?? {}, property.properties ?? {}],
            `${path}.${name}`,
            problems,
          ),
        };
      } else {
        problems.push(`${path}.${name}: the field is defined twice (names are case-insensitive)`);
      }
    }
  }
  return out;
}

/** The dataset fields of XDM properties (every property was checked by `parseXdmProperties`). */
export function datasetFieldsOf(properties: XdmProperties): DatasetField[] {
  return Object.entries(properties).map(([name, property]): DatasetField => {
    switch (property.type) {
      case 'object':
        return { name, type: 'object', fields: datasetFieldsOf(property.properties ?? {}) };
      case 'boolean':
        return { name, type: 'boolean' };
      case 'integer':
        return { name, type: property['meta:xdmType'] === 'long' ? 'long' : 'integer' };
      case 'number': {
        const precision = property['sluice:precision'];
        if (typeof precision !== 'number') return { name, type: 'double' };
        const scale = property['sluice:scale'];
        return { name, type: 'decimal', precision, scale: typeof scale === 'number' ? scale : 0 };
      }
      case 'string': {
        const { format } = property;
        if (format === 'date' || format === 'date-time') return { name, type: format };
        return { name, type: format === 'byte' ? 'binary' : 'string' };
      }
    }
  });
}
