import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCursorCodec, type PageToken } from './cursor.ts';
import { AppError } from './errors.ts';
import { parseListQuery, type ListRules } from './listing.ts';

const rules: ListRules = {
  sortFields: ['createdAt', 'name'],
  defaultSort: { field: 'createdAt', direction: 'asc' },
  filterFields: ['name', 'flowId', 'createdAt'],
  defaultLimit: 100,
  maxLimit: 1000,
};

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'no error';
};

const token: PageToken = {
  query: parseListQuery({ limit: '10', orderby: '-name', property: ['flowId==a,b', 'name=="x=y&z"'] }, rules),
  position: { value: 'name 9', id: '5f0c2d9e-0000-4000-8000-000000000009' },
};

describe('continuation tokens', () => {
  const codec = createCursorCodec(Buffer.alloc(32, 7));

  it('carries the query and the position, and nothing that a naive split would cut', () => {
    const raw = codec.encode(token, 'runs|org|sandbox');
    expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(`/runs?continuationToken=${raw}`.split('=')[1]).toBe(raw);
    const decoded = codec.decode(raw, 'runs|org|sandbox');
    expect(decoded.position).toEqual(token.position);
    expect(decoded.query.limit).toBe(10);
    expect(decoded.query.orderBy).toEqual({ field: 'name', direction: 'desc' });
    expect(decoded.query.filters).toEqual(token.query.filters);
    expect(decoded.query.count).toBe(false);
  });

  it('refuses a token of another scope or another key', () => {
    const raw = codec.encode(token, 'runs|org|sandbox');
    expect(codeOf(() => codec.decode(raw, 'flows|org|sandbox'))).toBe('FLOW-1420-400');
    expect(codeOf(() => codec.decode(raw, 'runs|org|other'))).toBe('FLOW-1420-400');
    expect(codeOf(() => createCursorCodec(Buffer.alloc(32, 8)).decode(raw, 'runs|org|sandbox'))).toBe(
      'FLOW-1420-400',
    );
  });

  it('refuses altered, truncated, padded and junk tokens', () => {
    const raw = codec.encode(token, 's');
    const flipped = `${raw.slice(0, 10)}${raw[10] === 'A' ? 'B' : 'A'}${raw.slice(11)}`;
    for (const bad of [flipped, raw.slice(0, -1), `${raw}=`, `${raw}.x`, 'garbage', '', 'a'.repeat(20_000)]) {
      expect(
        codeOf(() => codec.decode(bad, 's')),
        bad.slice(0, 20),
      ).toBe('FLOW-1420-400');
    }
  });

  it('refuses a correctly signed token whose content is not a page token', () => {
    const key = Buffer.alloc(32, 7);
    const forge = (content: string): string => {
      // The same construction as the codec: content ‖ HMAC(scope ␀ content)[0..16].
      const bytes = Buffer.from(content);
      const mac = createHmac('sha256', key)
        .update('s')
        .update('\u0000')
        .update(bytes)
        .digest()
        .subarray(0, 16);
      return Buffer.concat([bytes, mac]).toString('base64url');
    };
    expect(codeOf(() => codec.decode(forge('{"v":1}'), 's'))).toBe('FLOW-1420-400');
    expect(codeOf(() => codec.decode(forge('not json'), 's'))).toBe('FLOW-1420-400');
  });
});
