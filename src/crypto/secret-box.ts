/**
 * Authenticated encryption of secret strings (AES-256-GCM) into self-describing tokens:
 * `v1.<keyId>.<base64url(iv | tag | ciphertext)>`.
 *
 * Guarantees:
 * - A fresh random 96-bit IV per encryption, so equal plaintexts give different tokens.
 * - The version and key id are authenticated (GCM additional data): a token edited anywhere,
 *   including its header, fails to decrypt instead of yielding other plaintext.
 * - `keyId` is the first 8 hex digits of sha256(key): it names the key, it does not reveal it.
 * - Decryption failures never include the plaintext or the key, only key ids.
 * - Rotation: tokens made with a `previous` key still decrypt; new tokens always use `key`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const SECRET_KEY_BYTES = 32;
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const TOKEN = /^v1\.([0-9a-f]{8})\.([A-Za-z0-9_-]+)$/;

export interface SecretBox {
  /** Id of the key new tokens are made with. */
  readonly keyId: string;
  encrypt(plain: string): string;
  /** Throws a plain Error naming key ids only, when no configured key opens the token. */
  decrypt(token: string): string;
}

export interface SecretBoxOptions {
  /** Older keys whose tokens must still decrypt (key rotation). */
  readonly previous?: readonly Buffer[];
}

/** First 8 hex digits of sha256(key). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** True when `value` has the shape of a token made by a SecretBox (not whether it decrypts). */
export function isSecretToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

function checkKey(key: Buffer, what: string): void {
  if (key.length !== SECRET_KEY_BYTES) {
    throw new Error(`${what} must be ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
  }
}

export function createSecretBox(key: Buffer, options: SecretBoxOptions = {}): SecretBox {
  checkKey(key, 'The encryption key');
  const keys = new Map<string, Buffer>();
  const keyId = keyIdOf(key);
  keys.set(keyId, Buffer.from(key));
  for (const old of options.previous ?? []) {
    checkKey(old, 'A previous encryption key');
    const id = keyIdOf(old);
    if (!keys.has(id)) keys.set(id, Buffer.from(old));
  }
  const current = keys.get(keyId) as Buffer;

  const failure = (tokenKeyId: string | undefined): Error =>
    new Error(
      `secret cannot be decrypted with the configured key (key id ${keyId}` +
        (tokenKeyId === undefined
          ? ', malformed token)'
          : `; the secret was sealed with key id ${tokenKeyId})`),
    );

  return {
    keyId,
    encrypt(plain: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const payload = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
      return `${VERSION}.${keyId}.${payload}`;
    },
    decrypt(token: string): string {
      const match = TOKEN.exec(token);
      if (!match) throw failure(undefined);
      const [, tokenKeyId = '', payload = ''] = match;
      const secretKey = keys.get(tokenKeyId);
      const raw = Buffer.from(payload, 'base64url');
      if (!secretKey || raw.length < IV_BYTES + TAG_BYTES) throw failure(tokenKeyId);
      try {
        const decipher = createDecipheriv('aes-256-gcm', secretKey, raw.subarray(0, IV_BYTES), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(`${VERSION}.${tokenKeyId}`));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw failure(tokenKeyId);
      }
    },
  };
}
