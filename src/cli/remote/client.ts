/**
 * A small JSON client of a Sluice server's public API, sending the four gateway headers. Every failure
 * is one of three: the server did not answer (CLI-1001-503, naming the URL), something that is not
 * Sluice answered (CLI-1002-502), or Sluice answered with its problem JSON (RemoteProblem).
 */
import { AppError } from '../../domain/errors.ts';
import type { RemoteSettings } from './settings.ts';

/** Adobe's problem JSON as a remote Sluice answered it. */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly errorMessage?: string;
  readonly [key: string]: unknown;
}

export const isProblemDocument = (value: unknown): value is ProblemDocument =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ProblemDocument).type === 'string' &&
  typeof (value as ProblemDocument).title === 'string' &&
  typeof (value as ProblemDocument).status === 'number';

/** The server refused the request; `code` is the catalogued code (…/errors/<code>). */
export class RemoteProblem extends Error {
  override readonly name = 'RemoteProblem';
  readonly code: string;
  readonly status: number;
  readonly problem: ProblemDocument;
  constructor(problem: ProblemDocument) {
    super(problem.errorMessage ?? problem.title);
    this.problem = problem;
    this.code = problem.type.split('/').at(-1) ?? '';
    this.status = problem.status;
  }
}

export type Query = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface RemoteClient {
  readonly url: string;
  get(path: string, query?: Query): Promise<unknown>;
  post(path: string, body: unknown, query?: Query): Promise<unknown>;
}

export interface ClientOptions {
  readonly fetch?: typeof globalThis.fetch;
  /** Per request; default 60 s (a query or an explore of a slow source can take a while). */
  readonly timeoutMs?: number;
}

/** Why fetch failed, in a word a user can act on (ECONNREFUSED, ENOTFOUND, timed out…). */
function reasonOf(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'no answer before the timeout';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : 'the request failed';
}

export function createRemoteClient(settings: RemoteSettings, options: ClientOptions = {}): RemoteClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 60_000;

  const request = async (method: 'GET' | 'POST', path: string, query: Query, body?: unknown) => {
    const target = new URL(`${settings.url}${path}`);
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      for (const one of typeof value === 'string' ? [value] : value) target.searchParams.append(name, one);
    }
    let response: Response;
    try {
      response = await fetchImpl(target, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${settings.accessToken}`,
          'x-api-key': settings.apiKey,
          'x-gw-ims-org-id': settings.orgId,
          'x-sandbox-name': settings.sandboxName,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AppError('CLI-1001-503', `Cannot reach Sluice at ${settings.url} (${reasonOf(error)}).`);
    }
    const raw = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (response.ok && parsed !== undefined) return parsed;
    if (!response.ok && isProblemDocument(parsed)) throw new RemoteProblem(parsed);
    throw new AppError(
      'CLI-1002-502',
      `${settings.url} answered ${method} ${target.pathname} with HTTP ${response.status} and no Sluice JSON; is it a Sluice server (check the URL)?`,
    );
  };

  return {
    url: settings.url,
    get: (path, query = {}) => request('GET', path, query),
    post: (path, body, query = {}) => request('POST', path, query, body),
  };
}
