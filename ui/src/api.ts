/**
 * The one way the UI talks to Sluice: the typed SDK (@sluice/sdk, generated from /openapi.json) on the
 * page's own origin. Every request is recorded (method, URL, body; never a header) for "Show request";
 * a 401 (expired or revoked token) ends the session and returns the person to sign-in with the reason.
 */
import { createSluiceClient, isProblem, problemCode, type Problem, type SluiceClient } from '@sluice/sdk';
import type { RecordedRequest } from './curl.ts';
import { session } from './session.ts';

let seq = 0;
const recorded: RecordedRequest[] = [];
const recordListeners = new Set<(request: RecordedRequest) => void>();

/** An error answer of the API, with its problem JSON. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly problem: Problem,
    readonly request: RecordedRequest | undefined,
  ) {
    super(problem.errorMessage || problem.title);
  }
  get code(): string {
    return problemCode(this.problem);
  }
}

const noCredentials = { accessToken: '', apiKey: '', orgId: '', sandboxName: 'prod' };

function makeClient(record: boolean): SluiceClient {
  const client = createSluiceClient({
    baseUrl: '',
    credentials: () => session.credentials() ?? noCredentials,
  });
  client.use({
    async onRequest({ request }) {
      if (!record) return request;
      const body = request.body === null ? undefined : await request.clone().text();
      const entry: RecordedRequest = {
        seq: ++seq,
        method: request.method,
        url: request.url.replace(location.origin, ''),
        ...(body === undefined ? {} : { body }),
        ...(request.headers.get('content-type') === null
          ? {}
          : { contentType: request.headers.get('content-type') ?? '' }),
        ...(request.headers.get('if-match') === null
          ? {}
          : { ifMatch: request.headers.get('if-match') ?? '' }),
      };
      recorded.push(entry);
      if (recorded.length > 200) recorded.shift();
      for (const listener of recordListeners) listener(entry);
      return request;
    },
    onResponse({ request, response }) {
      const entry = record
        ? recorded.findLast((candidate) => candidate.url === request.url.replace(location.origin, ''))
        : undefined;
      if (entry) entry.status = response.status;
      if (response.status === 401 && session.get() !== undefined) {
        void response
          .clone()
          .json()
          .then((body: unknown) => {
            session.end(isProblem(body) ? body.errorMessage : 'Your session ended: sign in again.');
          })
          .catch(() => {
            session.end('Your session ended: sign in again.');
          });
      }
      return response;
    },
  });
  return client;
}

/** For actions: every request is recorded for "Show request". */
export const api = makeClient(true);
/** For background polling (live progress): not recorded, so it does not crowd "Show request". */
export const poller = makeClient(false);

/** The requests recorded after `mark` (from `requestMark()`), for an action's "Show request". */
export const requestMark = (): number => seq;
export const requestsSince = (mark: number): RecordedRequest[] => recorded.filter((r) => r.seq > mark);
export function onRecorded(listener: (request: RecordedRequest) => void): () => void {
  recordListeners.add(listener);
  return () => recordListeners.delete(listener);
}

/** openapi-fetch's result → the data, or an ApiError carrying the problem JSON. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  const error = result.error;
  const request = recorded.findLast((r) => r.url === result.response.url.replace(location.origin, ''));
  if (isProblem(error)) throw new ApiError(error, request);
  throw new ApiError(
    {
      type: 'about:blank',
      title: `HTTP ${result.response.status}`,
      status: result.response.status,
      errorMessage: `The server answered ${result.response.status} ${result.response.statusText}.`,
      report: {},
    },
    request,
  );
}

/** Turns `_links.next.href` (absolute, service-relative, or `?continuationToken=…` alone) into a query. */
export function nextQuery(href: string | undefined): Record<string, string> | undefined {
  if (href === undefined || href === '') return undefined;
  const query = href.includes('?') ? href.slice(href.indexOf('?') + 1) : '';
  return Object.fromEntries(new URLSearchParams(query));
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return `${error.problem.title} (${error.code}): ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
