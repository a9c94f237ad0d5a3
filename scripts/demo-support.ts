/**
 * What `npm run demo` needs besides its steps: the Sluice server as a child process (its log kept in a
 * file, its first-start credentials read from stdout), an HTTP client that prints each call, the CLI
 * run as a child with the same settings, and free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(import.meta.dirname, '..');

/** The caller's environment without SLUICE_* settings: the demo's children get only the demo's own. */
const baseEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SLUICE_')));
const dim = (text: string): string => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

export const say = {
  step(title: string): void {
    console.log(`\n${bold(`== ${title}`)}`);
  },
  line(text: string): void {
    console.log(`   ${text}`);
  },
  note(text: string): void {
    console.log(dim(`   ${text}`));
  },
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no free port'));
      });
    });
  });
}

export interface SluiceServer {
  readonly base: string;
  readonly headers: Record<string, string>;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Starts `node src/main.ts` and resolves once it printed the API address and the new org's credentials. */
export async function startSluiceServer(env: Record<string, string>, logFile: string): Promise<SluiceServer> {
  const child = spawn(process.execPath, [join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    log.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(5_000, undefined, { ref: false })]);
      if (!exited(child)) child.kill('SIGKILL');
    }
    log.end();
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const base = /serving the Flow Service API at (\S+)/.exec(output)?.[1];
    const value = (name: string): string | undefined => new RegExp(`export ${name}=(\\S+)`).exec(output)?.[1];
    const token = value('ACCESS_TOKEN');
    const apiKey = value('API_KEY');
    const org = value('ORG_ID');
    if (base !== undefined && token !== undefined && apiKey !== undefined && org !== undefined) {
      return {
        base,
        headers: {
          authorization: `Bearer ${token}`,
          'x-api-key': apiKey,
          'x-gw-ims-org-id': org,
          'x-sandbox-name': value('SANDBOX_NAME') ?? 'prod',
        },
        logFile,
        stop,
      };
    }
    if (exited(child) || Date.now() > deadline) {
      await stop();
      throw new Error(
        `Sluice did not start (${exited(child) ? `exited ${String(child.exitCode)}` : 'no credentials within 30 s'}); its log: ${logFile}`,
      );
    }
    await sleep(100);
  }
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

export type Call = <T = Record<string, unknown>>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
) => Promise<T>;

/** Calls the API, prints `METHOD path → status`, and throws with the answer's message when it fails. */
export function httpClient(server: SluiceServer, quiet = false): Call {
  const origin = new URL(server.base).origin;
  return async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const url =
      path.startsWith('/data/foundation/') && !path.startsWith('/data/foundation/flowservice')
        ? `${origin}${path}`
        : `${server.base}${path}`;
    const response = await fetch(url, {
      method,
      headers: { ...server.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const shown = new URL(url).pathname.replace('/data/foundation/flowservice', '') + new URL(url).search;
    if (!quiet)
      console.log(
        `   ${method.padEnd(4)} ${decodeURIComponent(shown)} ${dim(`→ ${String(response.status)}`)}`,
      );
    if (!response.ok)
      throw new Error(`${method} ${shown} answered ${String(response.status)}: ${text.slice(0, 500)}`);
    return (text === '' ? {} : JSON.parse(text)) as T;
  };
}

/** CLI processes still running, so that an interrupted demo can end them too. */
const running = new Set<ChildProcess>();

export function killRunningCommands(): void {
  for (const child of running) child.kill('SIGTERM');
}

/** Runs `node <script> args…` with the server's settings; resolves with its stdout or throws with its stderr. */
export function runNode(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      running.delete(child);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(`node ${script} ${args.join(' ')} exited ${String(code)}: ${err.trim() || out.trim()}`),
        );
    });
  });
}
