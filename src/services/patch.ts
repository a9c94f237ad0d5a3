/**
 * JSON Patch (RFC 6902) as Flow Service accepts it: only add, replace and remove (any case), applied by
 * fast-json-patch to an editable view of the entity, with Adobe's error codes.
 */
import jsonpatch from 'fast-json-patch';
import { AppError } from '../domain/errors.ts';

export interface PatchOperation {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path: string;
  readonly value?: unknown;
}

/** Validate the shape of a patch document; every problem names the operation's index. */
export function parsePatch(body: unknown): PatchOperation[] {
  if (body === undefined || body === null || (Array.isArray(body) && body.length === 0)) {
    throw new AppError(
      'FLOW-1405-400',
      'The request body is empty; send a JSON Patch array such as [{"op":"replace","path":"/name","value":"new name"}].',
    );
  }
  if (!Array.isArray(body)) {
    throw new AppError(
      'FLOW-1435-400',
      'The request body must be a JSON Patch array of operations, e.g. [{"op":"replace","path":"/name","value":"x"}].',
    );
  }
  return body.map((raw: unknown, index) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new AppError(
        'FLOW-1435-400',
        `Patch operation ${index} must be an object with op, path and value.`,
      );
    }
    const { op, path, value } = raw as Record<string, unknown>;
    if (typeof op !== 'string') throw new AppError('FLOW-1435-400', `Patch operation ${index} has no 'op'.`);
    const lower = op.toLowerCase();
    if (lower !== 'add' && lower !== 'replace' && lower !== 'remove') {
      throw new AppError(
        'FLOW-1434-400',
        `Unsupported operation '${op}' received at index ${index}; use add, replace or remove.`,
      );
    }
    if (typeof path !== 'string' || !(path === '' || path.startsWith('/'))) {
      throw new AppError(
        'FLOW-1435-400',
        `Patch operation ${index} needs a 'path' that is a JSON Pointer such as /name.`,
      );
    }
    if (lower !== 'remove' && !('value' in raw)) {
      throw new AppError('FLOW-1435-400', `Patch operation ${index} (${lower} ${path}) needs a 'value'.`);
    }
    return lower === 'remove' ? { op: lower, path } : { op: lower, path, value };
  });
}

/** Apply to a deep copy; a path that does not resolve is FLOW-1455, anything else malformed FLOW-1435. */
export function applyPatch<T>(document: T, operations: readonly PatchOperation[]): T {
  try {
    const copy = jsonpatch.deepClone(document) as T;
    return jsonpatch.applyPatch(copy, operations as never, true, true, true).newDocument;
  } catch (error) {
    if (error instanceof jsonpatch.JsonPatchError) {
      const index = error.index ?? 0;
      const path = operations[index]?.path ?? '';
      if (error.name === 'OPERATION_PATH_UNRESOLVABLE' || error.name === 'OPERATION_PATH_CANNOT_ADD') {
        const field = path.split('/').filter(Boolean).at(-1) ?? path;
        throw new AppError(
          'FLOW-1455-400',
          `Operation ${index} cannot be applied: Missing field "${field}" (path ${path}).`,
        );
      }
      throw new AppError(
        'FLOW-1435-400',
        `Operation ${index} (${path}) is invalid: ${error.message.split('\n')[0] ?? ''}`,
      );
    }
    throw error;
  }
}

/** Check each path against the fields a resource allows to change. */
export function assertPatchable(
  operations: readonly PatchOperation[],
  rules: { readonly allowed: readonly string[]; readonly immutable: Readonly<Record<string, AppError>> },
): void {
  for (const operation of operations) {
    const top = `/${operation.path.split('/')[1] ?? ''}`;
    const immutable = rules.immutable[top];
    if (immutable) throw immutable;
    const ok = rules.allowed.some(
      (prefix) => operation.path === prefix || operation.path.startsWith(`${prefix}/`),
    );
    if (!ok) {
      throw new AppError(
        'FLOW-1365-400',
        `The path '${operation.path}' cannot be updated; updatable paths are ${rules.allowed.join(', ')}.`,
      );
    }
  }
}

/** Compare an If-Match value with the current etag, tolerating missing quotes and a W/ prefix. */
export function etagMatches(ifMatch: string, etag: string): boolean {
  const normalize = (value: string): string =>
    value
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1');
  return normalize(ifMatch) === normalize(etag);
}
