/**
 * Secret fields of connection parameters, found through their JSON Schema: every property whose
 * schema says `"format": "password"` (Adobe's authSpec convention), at any depth.
 *
 * Guarantees:
 * - Nothing here mutates its input. `sealSecrets` and `openSecrets` return a deep copy; `maskSecrets`
 *   (on every read of a connection) copies only the objects and arrays on the way to a secret and shares
 *   the rest with its input, so treat its result as read-only.
 * - Schemas are treated as immutable: the secret paths of a schema are computed once per schema object.
 * - Only values at secret paths are touched; everything else is copied as it is.
 * - `sealSecrets` is idempotent (an already sealed value stays sealed) and `openSecrets` leaves
 *   plaintext values as they are, so stored documents written before sealing still open.
 * - A path segment `*` means "each element of the array".
 */
import type { SecretBox } from './secret-box.ts';

export const SECRET_MASK = '********';
export const SEALED_KEY = '$sealed';

export type SecretPath = readonly string[];
export interface SealedSecret {
  readonly $sealed: string;
}

type Schema = Readonly<Record<string, unknown>>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isSealed = (value: unknown): value is SealedSecret =>
  isRecord(value) && typeof value[SEALED_KEY] === 'string' && Object.keys(value).length === 1;

const pathsBySchema = new WeakMap<Schema, readonly SecretPath[]>();

/** `secretPaths`, computed once per schema object. */
function cachedSecretPaths(schema: Schema): readonly SecretPath[] {
  let paths = pathsBySchema.get(schema);
  if (paths === undefined) {
    paths = Object.freeze(secretPaths(schema).map((path) => Object.freeze([...path])));
    pathsBySchema.set(schema, paths);
  }
  return paths;
}

/** Paths (lists of property names) of every `"format": "password"` property in the schema. */
export function secretPaths(schema: Schema): SecretPath[] {
  const found = new Map<string, SecretPath>();
  const walk = (node: unknown, path: readonly string[], depth: number): void => {
    if (!isRecord(node) || depth > 32) return;
    if (node.format === 'password' && path.length > 0) found.set(JSON.stringify(path), path);
    if (isRecord(node.properties)) {
      for (const [name, child] of Object.entries(node.properties)) walk(child, [...path, name], depth + 1);
    }
    if (isRecord(node.items)) walk(node.items, [...path, '*'], depth + 1);
    for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
      const branches = node[keyword];
      if (Array.isArray(branches)) for (const branch of branches) walk(branch, path, depth + 1);
    }
  };
  walk(schema, [], 0);
  return [...found.values()];
}

/** Calls `visit` for each value present at `path` inside `root`, letting it replace the value. */
function visitPath(root: unknown, path: SecretPath, visit: (value: unknown) => unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head === '*') {
    if (!Array.isArray(root)) return;
    root.forEach((element: unknown, index) => {
      if (rest.length === 0) root[index] = visit(element);
      else visitPath(element, rest, visit);
    });
    return;
  }
  if (!isRecord(root) || !Object.hasOwn(root, head)) return;
  if (rest.length === 0) root[head] = visit(root[head]);
  else visitPath(root[head], rest, visit);
}

function transform<T>(schema: Schema, params: T, visit: (value: unknown) => unknown): T {
  const copy = structuredClone(params);
  for (const path of cachedSecretPaths(schema)) visitPath(copy, path, visit);
  return copy;
}

/**
 * `root` with `visit` applied at `path` (from segment `at`): the containers on the way are copied when
 * a value below them changes; everything else is the input itself. Returns `root` when nothing changed.
 */
function replaceAlong(
  root: unknown,
  path: SecretPath,
  at: number,
  visit: (value: unknown) => unknown,
): unknown {
  if (at === path.length) return visit(root);
  const head = path[at];
  if (head === '*') {
    if (!Array.isArray(root)) return root;
    let copy: unknown[] | undefined;
    for (let index = 0; index < root.length; index += 1) {
      const element: unknown = root[index];
      const next = replaceAlong(element, path, at + 1, visit);
      if (next !== element) (copy ??= [...(root as unknown[])])[index] = next;
    }
    return copy ?? root;
  }
  if (head === undefined || !isRecord(root) || !Object.hasOwn(root, head)) return root;
  const child = root[head];
  const next = replaceAlong(child, path, at + 1, visit);
  if (next === child) return root;
  const copy = { ...root };
  Object.defineProperty(copy, head, { value: next, writable: true, enumerable: true, configurable: true });
  return copy;
}

/** A copy with each secret string replaced by `{"$sealed": "<token>"}`. */
export function sealSecrets<T>(schema: Schema, params: T, box: SecretBox): T {
  return transform(schema, params, (value) =>
    typeof value === 'string' ? ({ [SEALED_KEY]: box.encrypt(value) } satisfies SealedSecret) : value,
  );
}

/** A copy with each sealed secret decrypted back to its string (throws if the key cannot open it). */
export function openSecrets<T>(schema: Schema, stored: T, box: SecretBox): T {
  return transform(schema, stored, (value) => (isSealed(value) ? box.decrypt(value.$sealed) : value));
}

const mask = (value: unknown): unknown => (value === undefined || value === null ? value : SECRET_MASK);

/**
 * `params` with each present secret (sealed or not) replaced by `SECRET_MASK`: no deep copy, only the
 * objects and arrays that lead to a secret are new (the rest is shared with `params`).
 */
export function maskSecrets<T>(schema: Schema, params: T): T {
  let masked: unknown = params;
  for (const path of cachedSecretPaths(schema)) masked = replaceAlong(masked, path, 0, mask);
  return masked as T;
}

/** The values present at `path` inside `root`, read only. */
function valuesAt(root: unknown, path: SecretPath): unknown[] {
  const [head, ...rest] = path;
  if (head === undefined) return [root];
  if (head === '*')
    return Array.isArray(root) ? root.flatMap((element: unknown) => valuesAt(element, rest)) : [];
  return isRecord(root) && Object.hasOwn(root, head) ? valuesAt(root[head], rest) : [];
}

/** The plaintext secret strings in `params` (non-empty, unsealed), e.g. to scrub them from logs. */
export function secretValues(schema: Schema, params: unknown): string[] {
  const values = new Set<string>();
  for (const path of cachedSecretPaths(schema)) {
    for (const value of valuesAt(params, path))
      if (typeof value === 'string' && value !== '') values.add(value);
  }
  return [...values];
}
