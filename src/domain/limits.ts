/**
 * One set of limits for every JSON document a client sends: request bodies (checked as they are parsed)
 * and the entity a PATCH produces (checked before it is saved), so a value refused by POST cannot arrive
 * by PATCH either.
 *
 * Guarantees of `assertDocumentWithinLimits`:
 * - no string and no object key holds a NUL character or an unpaired UTF-16 surrogate (PostgreSQL refuses
 *   both in text and jsonb, SQLite would store them): FLOW-1480-400;
 * - no string or key is longer than `maxStringLength` characters: FLOW-1481-400;
 * - objects and arrays nest at most `maxDepth` levels: FLOW-1482-400;
 * - the walk is iterative (a 10,000-level document cannot overflow the stack) and stops at the first
 *   problem; messages name the field by its path and the limit, never the value.
 */
import { AppError } from './errors.ts';

export interface DocumentLimits {
  /** Longest string or object key, in UTF-16 code units. */
  readonly maxStringLength: number;
  /** Deepest nesting of objects and arrays (a flat object has depth 1). */
  readonly maxDepth: number;
  /** Largest document as JSON, in bytes (request bodies: the body limit). */
  readonly maxBytes: number;
}

export const MAX_STRING_LENGTH = 8192;
export const MAX_DEPTH = 32;
/** Entity names and descriptions: the same bounds on POST (route schemas) and after a PATCH. */
export const NAME_MAX_LENGTH = 256;
export const DESCRIPTION_MAX_LENGTH = 4096;

export const documentLimits = (maxBytes: number): DocumentLimits => ({
  maxStringLength: MAX_STRING_LENGTH,
  maxDepth: MAX_DEPTH,
  maxBytes,
});

/** True when `text` has no NUL and no unpaired surrogate. */
export const isStorableText = (text: string): boolean => !text.includes('\u0000') && text.isWellFormed();

interface Frame {
  readonly value: unknown;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly key: string | number | undefined;
}

const pathOf = (frame: Frame, root: string): string => {
  const parts: string[] = [];
  for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) {
    parts.push(typeof at.key === 'number' ? `[${at.key}]` : `.${at.key}`);
  }
  const tail = parts.reverse().join('');
  return root === '' ? tail.replace(/^\./, '') || '(the document)' : `${root}${tail}`;
};

/** A key is shown in a path only when it is itself acceptable; otherwise it would echo the bad input. */
const safeKey = (key: string): string => (isStorableText(key) && key.length <= 64 ? key : '<key>');

function checkText(text: string, limits: DocumentLimits, where: () => string, what: string): void {
  if (!isStorableText(text)) {
    throw new AppError(
      'FLOW-1480-400',
      `${what} ${where()} contains a NUL character or an unpaired UTF-16 surrogate; remove it (neither can be stored).`,
      { field: where() },
    );
  }
  if (text.length > limits.maxStringLength) {
    throw new AppError(
      'FLOW-1481-400',
      `${what} ${where()} has ${text.length} characters; at most ${limits.maxStringLength} are accepted.`,
      { field: where(), limit: limits.maxStringLength },
    );
  }
}

/** Throws the first problem found; `root` names the document in messages (e.g. 'body', 'auth.params'). */
export function assertDocumentWithinLimits(value: unknown, limits: DocumentLimits, root = ''): void {
  const stack: Frame[] = [{ value, depth: 0, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const current = frame.value;
    if (typeof current === 'string') {
      checkText(current, limits, () => pathOf(frame, root), 'The value of');
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    const depth = frame.depth + 1;
    if (depth > limits.maxDepth) {
      throw new AppError(
        'FLOW-1482-400',
        `The document nests deeper than ${limits.maxDepth} levels at ${pathOf(frame, root)}; flatten it.`,
        { field: pathOf(frame, root), limit: limits.maxDepth },
      );
    }
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index -= 1) {
        stack.push({ value: current[index], depth, parent: frame, key: index });
      }
      continue;
    }
    for (const key of Object.keys(current)) {
      checkText(key, limits, () => `${pathOf(frame, root)} (a key)`, 'The field name in');
      stack.push({
        value: (current as Record<string, unknown>)[key],
        depth,
        parent: frame,
        key: safeKey(key),
      });
    }
  }
}

/** The size check of a whole document (a patched entity): its JSON must fit `maxBytes`. */
export function assertDocumentSize(value: unknown, limits: DocumentLimits, what: string): void {
  // JSON.stringify(undefined) is undefined at run time, though typed as a string.
  const text = JSON.stringify(value) as string | undefined;
  const bytes = text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    throw new AppError(
      'FLOW-1483-413',
      `${what} would be ${bytes} bytes as JSON after this change; at most ${limits.maxBytes} (SLUICE_BODY_LIMIT_BYTES) are accepted.`,
      { limit: limits.maxBytes },
    );
  }
}

/** `name` and `description` of an entity, as POST's route schemas bound them. */
export function assertNameAndDescription(entity: {
  readonly name?: unknown;
  readonly description?: unknown;
}): void {
  if (typeof entity.name === 'string' && entity.name.length > NAME_MAX_LENGTH) {
    throw new AppError(
      'FLOW-1481-400',
      `The field 'name' has ${entity.name.length} characters; at most ${NAME_MAX_LENGTH} are accepted.`,
      { field: 'name', limit: NAME_MAX_LENGTH },
    );
  }
  if (typeof entity.description === 'string' && entity.description.length > DESCRIPTION_MAX_LENGTH) {
    throw new AppError(
      'FLOW-1481-400',
      `The field 'description' has ${entity.description.length} characters; at most ${DESCRIPTION_MAX_LENGTH} are accepted.`,
      { field: 'description', limit: DESCRIPTION_MAX_LENGTH },
    );
  }
}
