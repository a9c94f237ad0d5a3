/**
 * Continuation tokens: the keyset position of the last item of a page, bound to the query it came
 * from and signed, so a tampered or foreign token is a clear 400 rather than a wrong page.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.ts';

export interface CursorPosition {
  readonly value: string | number;
  readonly id: string;
}

export interface CursorCodec {
  encode(position: CursorPosition, fingerprint: string): string;
  decode(token: string, fingerprint: string): CursorPosition;
}

export function createCursorCodec(key: Buffer): CursorCodec {
  const sign = (payload: string): Buffer =>
    createHmac('sha256', key).update(payload).digest().subarray(0, 16);
  const invalid = (): AppError =>
    new AppError(
      'FLOW-1420-400',
      'The continuationToken is invalid or belongs to a different query; start again without it or follow _links.next.href as returned.',
    );
  return {
    encode(position, fingerprint) {
      const payload = Buffer.from(
        JSON.stringify({ v: position.value, i: position.id, q: fingerprint }),
      ).toString('base64url');
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    decode(token, fingerprint) {
      const [payload, signature, extra] = token.split('.');
      if (payload === undefined || signature === undefined || extra !== undefined) throw invalid();
      const expected = sign(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      try {
        const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
          v?: unknown;
          i?: unknown;
          q?: unknown;
        };
        if ((typeof parsed.v !== 'string' && typeof parsed.v !== 'number') || typeof parsed.i !== 'string') {
          throw invalid();
        }
        if (parsed.q !== fingerprint) throw invalid();
        return { value: parsed.v, id: parsed.i };
      } catch {
        throw invalid();
      }
    },
  };
}
