/**
 * Continuation tokens. A token carries the whole query of a listing (limit, orderby, property filters,
 * count) and the keyset position after the last item of its page, so `?continuationToken=<token>` alone
 * continues the listing: a client may follow `_links.next.href`, cut the token out of it, or send its
 * parameters again (they must agree with the token's).
 *
 * Guarantees:
 * - The token is base64url without padding (`[A-Za-z0-9_-]`): no `=`, `&`, `+`, `/` or `.`, so it
 *   survives `href.split("=")[1]` and needs no URL encoding.
 * - It is signed (HMAC-SHA-256, 128 bits) over its content and a scope (the resource and the tenant):
 *   an altered token, or one issued for another resource, sandbox or server key, is a 400, never a
 *   wrong page.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.ts';
import type { ListQuery } from './listing.ts';
import type { FilterOperator, PathSegment, PropertyFilter } from './property-filter.ts';

export interface CursorPosition {
  readonly value: string | number;
  readonly id: string;
}

/** What a token holds: the listing's query and where its next page starts. */
export interface PageToken {
  readonly query: ListQuery;
  readonly position: CursorPosition;
}

export interface CursorCodec {
  encode(token: PageToken, scope: string): string;
  decode(raw: string, scope: string): PageToken;
}

const MAC_BYTES = 16;
/** Far above any real token (a query with long filters stays under 2 KiB); bounds the work on junk. */
const MAX_TOKEN_CHARS = 16_384;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const OPERATORS: readonly string[] = ['==', '!=', '>', '<', '>=', '<='];

const invalid = (): AppError =>
  new AppError(
    'FLOW-1420-400',
    'The continuationToken is invalid or belongs to a different listing; start again without it, or pass the token from _links.next.href unchanged.',
  );

const isString = (value: unknown): value is string => typeof value === 'string';

function readFilter(raw: unknown): PropertyFilter {
  const f = raw as { e?: unknown; p?: unknown; o?: unknown; v?: unknown } | null;
  if (
    f === null ||
    typeof f !== 'object' ||
    !isString(f.e) ||
    !isString(f.o) ||
    !OPERATORS.includes(f.o) ||
    !Array.isArray(f.p) ||
    !Array.isArray(f.v) ||
    !f.v.every(isString)
  ) {
    throw invalid();
  }
  const path = f.p.map((segment: unknown): PathSegment => {
    const s = segment as { k?: unknown; a?: unknown } | null;
    if (s === null || typeof s !== 'object' || !isString(s.k) || typeof s.a !== 'boolean') throw invalid();
    return { key: s.k, each: s.a };
  });
  return { expression: f.e, path, operator: f.o as FilterOperator, values: f.v };
}

/** The token's JSON, checked field by field (a valid signature from an older format must not crash). */
function readToken(json: unknown): PageToken {
  const t = json as { q?: unknown; p?: unknown } | null;
  const q = t?.q as { l?: unknown; o?: unknown; d?: unknown; f?: unknown; c?: unknown } | undefined;
  const p = t?.p as unknown[] | undefined;
  if (
    q === undefined ||
    typeof q !== 'object' ||
    !Number.isSafeInteger(q.l) ||
    !isString(q.o) ||
    (q.d !== 'asc' && q.d !== 'desc') ||
    !Array.isArray(q.f) ||
    typeof q.c !== 'boolean' ||
    !Array.isArray(p) ||
    p.length !== 2 ||
    (typeof p[0] !== 'string' && typeof p[0] !== 'number') ||
    !isString(p[1])
  ) {
    throw invalid();
  }
  return {
    query: {
      limit: q.l as number,
      orderBy: { field: q.o, direction: q.d },
      filters: q.f.map(readFilter),
      count: q.c,
    },
    position: { value: p[0], id: p[1] },
  };
}

export function createCursorCodec(key: Buffer): CursorCodec {
  // The key imported once: createHmac with raw bytes imports them on every call (≈ 10 µs, more than the MAC).
  const secret = createSecretKey(key);
  const mac = (scope: string, content: Buffer): Buffer =>
    createHmac('sha256', secret)
      .update(scope)
      .update('\u0000')
      .update(content)
      .digest()
      .subarray(0, MAC_BYTES);
  return {
    encode({ query, position }, scope) {
      const content = Buffer.from(
        JSON.stringify({
          q: {
            l: query.limit,
            o: query.orderBy.field,
            d: query.orderBy.direction,
            f: query.filters.map((filter) => ({
              e: filter.expression,
              p: filter.path.map((segment) => ({ k: segment.key, a: segment.each })),
              o: filter.operator,
              v: filter.values,
            })),
            c: query.count,
          },
          p: [position.value, position.id],
        }),
      );
      return Buffer.concat([content, mac(scope, content)]).toString('base64url');
    },
    decode(raw, scope) {
      if (raw.length > MAX_TOKEN_CHARS || !BASE64URL.test(raw)) throw invalid();
      const bytes = Buffer.from(raw, 'base64url');
      // Only the canonical spelling is accepted (Node's decoder would ignore stray trailing bits).
      if (bytes.length <= MAC_BYTES || bytes.toString('base64url') !== raw) throw invalid();
      const content = bytes.subarray(0, bytes.length - MAC_BYTES);
      const given = bytes.subarray(bytes.length - MAC_BYTES);
      if (!timingSafeEqual(given, mac(scope, content))) throw invalid();
      let json: unknown;
      try {
        json = JSON.parse(content.toString('utf8'));
      } catch {
        throw invalid();
      }
      return readToken(json);
    },
  };
}
