/**
 * The store's encryption key: the configured one, else a key file in the data directory, created
 * on first start.
 *
 * Guarantees:
 * - The key is exactly 32 bytes; a configured key is accepted as base64 (or base64url) or as hex.
 * - A created key file holds 32 random bytes in base64, has mode 0600, and is created exclusively:
 *   two processes starting at once end up with the same key, never two different ones, and no
 *   process ever reads a half-written file.
 * - A key file readable or writable by group or others is refused (with the chmod that fixes it).
 * - No message contains the key.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SECRET_KEY_BYTES } from './secret-box.ts';

export interface LoadKeyOptions {
  /** A configured key (base64 or hex); when present the file is not touched. */
  readonly key?: string | undefined;
  /** The key file used when no key is configured. */
  readonly file: string;
}

/** Decodes a 32-byte key written as hex (64 digits) or base64/base64url; throws otherwise. */
export function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (key?.length !== SECRET_KEY_BYTES) {
    throw new Error(
      `The encryption key from ${source} is not ${SECRET_KEY_BYTES} bytes in base64 or hex ` +
        `(generate one with: openssl rand -base64 32)`,
    );
  }
  return key;
}

export async function loadOrCreateKey(options: LoadKeyOptions): Promise<{ key: Buffer; created: boolean }> {
  if (options.key !== undefined) return { key: decodeKey(options.key, 'the configuration'), created: false };

  const existing = await readKeyFile(options.file);
  if (existing) return { key: existing, created: false };

  await mkdir(dirname(options.file), { recursive: true, mode: 0o700 });
  const key = randomBytes(SECRET_KEY_BYTES);
  // Write a private temp file, then hard-link it into place: the key file appears complete or not
  // at all, and if another process linked first, its key wins and ours is dropped.
  const temp = `${options.file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    await link(temp, options.file);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    const theirs = await readKeyFile(options.file);
    if (!theirs) throw error;
    return { key: theirs, created: false };
  } finally {
    await rm(temp, { force: true });
  }
  return { key, created: true };
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new Error(
      `The key file ${file} is accessible by group or others (mode ${(mode & 0o777).toString(8)}); ` +
        `restrict it with: chmod 600 ${file}`,
    );
  }
  const text = await readFile(file, 'utf8');
  return decodeKey(text, `the key file ${file}`);
}
