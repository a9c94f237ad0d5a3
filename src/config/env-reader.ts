/**
 * Reads typed values out of an environment, collecting every problem instead of stopping at the
 * first, so one start reports everything that is wrong. Empty values count as unset.
 * Problem texts never contain the value of a secret variable.
 */
import { isAbsolute, resolve } from 'node:path';

/** The shape of `fs.readFileSync` this module uses (so tests can pass a fake file system). */
export type ReadFile = (path: string, encoding: 'utf8') => string;

export class EnvReader {
  readonly problems: string[] = [];
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #readFile: ReadFile;

  constructor(env: Readonly<Record<string, string | undefined>>, readFile: ReadFile) {
    this.#env = env;
    this.#readFile = readFile;
  }

  problem(text: string): void {
    this.problems.push(text);
  }

  /** The trimmed value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /**
   * A secret from `NAME` or from the file named by `NAME_FILE` (trailing newline dropped); setting
   * both is a problem. Problems name the variable and the file, never the value.
   */
  secret(name: string): { value: string; from: string } | undefined {
    const direct = this.raw(name);
    const file = this.raw(`${name}_FILE`);
    if (direct !== undefined && file !== undefined) {
      this.problem(`${name} and ${name}_FILE are both set; set only one`);
      return undefined;
    }
    if (direct !== undefined) return { value: direct, from: name };
    if (file === undefined) return undefined;
    const text = this.readText(`${name}_FILE`, file);
    if (text === undefined) return undefined;
    const value = text.trim();
    if (value === '') {
      this.problem(`${name}_FILE: ${file} is empty`);
      return undefined;
    }
    return { value, from: `${name}_FILE (${file})` };
  }

  /** Reads a file named by a variable, recording a problem (without contents) when it cannot. */
  readText(variable: string, file: string): string | undefined {
    try {
      return this.#readFile(file, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.problem(`${variable}: cannot read ${file}${typeof code === 'string' ? ` (${code})` : ''}`);
      return undefined;
    }
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === value.toLowerCase());
    if (match === undefined) {
      this.problem(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return match;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problem(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problem(`${name} must be true or false (got "${this.raw(name) ?? ''}")`);
    return fallback;
  }

  /** A directory or file path, resolved against the working directory. */
  path(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    return isAbsolute(value) ? value : resolve(value);
  }

  /** A comma- or whitespace-separated list. */
  list(name: string): string[] {
    return (this.raw(name) ?? '').split(/[\s,]+/).filter((item) => item !== '');
  }
}
