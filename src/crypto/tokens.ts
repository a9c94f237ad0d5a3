/**
 * Bearer secrets of the form `<prefix>_<id>_<secret>` (API keys and the like).
 *
 * Guarantees: `id` is 12 lowercase hex characters (48 random bits, a lookup key that may be shown and
 * logged); `secret` is 32 random bytes in base64url (43 characters) and is never stored: only its
 * sha256 (`hashSecret`) is, and `secretMatches` compares digests in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ID = /^[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const HASH = /^[0-9a-f]{64}$/;

export interface GeneratedSecret {
  readonly id: string;
  readonly secret: string;
  /** What the user is given, once: `<prefix>_<id>_<secret>`. */
  readonly value: string;
}

export function generateSecret(prefix: string): GeneratedSecret {
  if (!/^[A-Za-z0-9_]+$/.test(prefix)) throw new Error(`Invalid secret prefix "${prefix}"`);
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, value: `${prefix}_${id}_${secret}` };
}

/** The id and secret of a value made by `generateSecret(prefix)`; undefined for anything else. */
export function parseSecret(prefix: string, value: string): { id: string; secret: string } | undefined {
  const head = `${prefix}_`;
  if (!value.startsWith(head)) return undefined;
  const rest = value.slice(head.length);
  const id = rest.slice(0, 12);
  const secret = rest.slice(13);
  if (rest.charAt(12) !== '_' || !ID.test(id) || !SECRET.test(secret)) return undefined;
  return { id, secret };
}

/** sha256 of the secret, hex. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` hashes to `hash`, compared in constant time (a malformed hash never matches). */
export function secretMatches(secret: string, hash: string): boolean {
  if (!HASH.test(hash)) return false;
  return timingSafeEqual(Buffer.from(hashSecret(secret), 'hex'), Buffer.from(hash, 'hex'));
}
