import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeKey, loadOrCreateKey } from './key-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-key-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
let counter = 0;
const keyPath = (): string => join(dir, `d${++counter}`, 'nested', 'encryption.key');

describe('loadOrCreateKey', () => {
  it('creates a 0600 key file of 32 random bytes, then reads the same key back', async () => {
    const file = keyPath();
    const first = await loadOrCreateKey({ file });
    expect(first.created).toBe(true);
    expect(first.key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(first.key)).toBe(true);
    const second = await loadOrCreateKey({ file });
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('gives concurrent starters one and the same key', async () => {
    const file = keyPath();
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKey({ file })));
    expect(results.filter((result) => result.created)).toHaveLength(1);
    for (const result of results) expect(result.key.equals(results[0]!.key)).toBe(true);
  });

  it('uses a configured key (base64 or hex) and never touches the file', async () => {
    const key = randomBytes(32);
    const file = keyPath();
    expect((await loadOrCreateKey({ key: key.toString('base64'), file })).key.equals(key)).toBe(true);
    expect((await loadOrCreateKey({ key: key.toString('hex'), file })).key.equals(key)).toBe(true);
    expect((await loadOrCreateKey({ key: key.toString('base64url'), file })).key.equals(key)).toBe(true);
    expect(() => statSync(file)).toThrow();
  });

  it('rejects keys that are not 32 bytes, without echoing them', async () => {
    const short = randomBytes(16).toString('base64');
    await expect(loadOrCreateKey({ key: short, file: keyPath() })).rejects.toThrow(/not 32 bytes/);
    await expect(loadOrCreateKey({ key: short, file: keyPath() })).rejects.not.toThrow(short);
    expect(() => decodeKey('not a key!', 'x')).toThrow(/not 32 bytes/);
    const file = keyPath();
    await loadOrCreateKey({ file });
    writeFileSync(file, randomBytes(20).toString('base64'));
    await expect(loadOrCreateKey({ file })).rejects.toThrow(/key file .* is not 32 bytes/);
  });

  it('refuses a key file readable by group or others and says how to fix it', async () => {
    const file = keyPath();
    await loadOrCreateKey({ file });
    chmodSync(file, 0o644);
    await expect(loadOrCreateKey({ file })).rejects.toThrow(`chmod 600 ${file}`);
    chmodSync(file, 0o600);
    await expect(loadOrCreateKey({ file })).resolves.toMatchObject({ created: false });
  });
});
