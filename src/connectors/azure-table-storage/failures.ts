/**
 * Classifies what went wrong in a call to Azure (SDK RestError, network error, timeout) and turns it
 * into a message a user can act on. Messages are built here from the classification only: the
 * service's own error text and the request (which may carry a SAS) are never copied into them.
 */
import { AppError } from '../../domain/errors.ts';

export type Failure =
  | { readonly kind: 'authentication'; readonly serviceCode: string }
  | { readonly kind: 'permission'; readonly serviceCode: string }
  | { readonly kind: 'table-not-found' }
  | { readonly kind: 'bad-request'; readonly serviceCode: string }
  | { readonly kind: 'busy'; readonly status: number }
  | { readonly kind: 'network'; readonly code: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'service'; readonly status: number; readonly serviceCode: string };

const PERMISSION_CODES = new Set([
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationSourceIPMismatch',
  'InsufficientAccountPermissions',
]);

interface RestErrorLike {
  readonly statusCode?: number;
  readonly code?: string;
  readonly details?: { readonly errorCode?: unknown };
  readonly name?: string;
}

/** `deadline` and `caller` tell a timeout from the caller's own cancellation. */
export function classify(error: unknown, signals: { deadline: AbortSignal; caller: AbortSignal }): Failure {
  if (signals.caller.aborted) return { kind: 'aborted' };
  if (signals.deadline.aborted) return { kind: 'timeout' };
  const e = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
  const status = e.statusCode;
  const serviceCode = typeof e.details?.errorCode === 'string' ? e.details.errorCode : '';
  if (status === undefined) {
    if (e.name === 'AbortError') return { kind: 'timeout' };
    return { kind: 'network', code: e.code ?? 'unknown' };
  }
  if (
    status === 404 &&
    (serviceCode === 'TableNotFound' || serviceCode === 'ResourceNotFound' || serviceCode === '')
  ) {
    return { kind: 'table-not-found' };
  }
  if (status === 403 || status === 401) {
    return PERMISSION_CODES.has(serviceCode)
      ? { kind: 'permission', serviceCode }
      : { kind: 'authentication', serviceCode: serviceCode || 'AuthenticationFailed' };
  }
  if (status === 400) return { kind: 'bad-request', serviceCode: serviceCode || 'InvalidInput' };
  if (status === 429 || status === 503 || serviceCode === 'ServerBusy') return { kind: 'busy', status };
  return { kind: 'service', status, serviceCode };
}

const NETWORK_TEXT: Readonly<Record<string, string>> = {
  ENOTFOUND: 'the host name does not resolve (DNS)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ECONNREFUSED: 'the connection was refused (nothing listens on that port)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate chain is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is signed by an untrusted CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate does not match the host name',
};

/** `300 ms`, `5 s`: a timeout as a user would write it. */
export const formatDuration = (ms: number): string =>
  ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;

export const networkText = (code: string): string =>
  NETWORK_TEXT[code] ?? `a network error occurred (${code})`;

/** A message for an explore/preview failure; `what` names the operation, e.g. `reading table "t"`. */
export function describeFailure(failure: Failure, what: string, endpoint: string, timeoutMs: number): string {
  switch (failure.kind) {
    case 'authentication':
      return `Azure rejected the credential while ${what} (${failure.serviceCode}): the account key or SAS is no longer valid (rotated, revoked or expired) or the storage firewall blocks Sluice. Update the connection's connection string.`;
    case 'permission':
      return `The credential may not be used for ${what} (${failure.serviceCode}); use an account key, or an account SAS with ss=t, srt=sco and sp=rl.`;
    case 'table-not-found':
      return `The table does not exist while ${what}.`;
    case 'bad-request':
      return `Azure refused the request while ${what} (${failure.serviceCode}).`;
    case 'busy':
      return `Azure Table Storage at ${endpoint} is busy or throttling (HTTP ${failure.status}) while ${what}; try again later.`;
    case 'network':
      return `Could not reach ${endpoint} while ${what}: ${networkText(failure.code)}.`;
    case 'timeout':
      return `Azure Table Storage at ${endpoint} did not answer within ${formatDuration(timeoutMs)} while ${what}.`;
    case 'aborted':
      return `The request was cancelled while ${what}.`;
    case 'service':
      return `Azure Table Storage answered HTTP ${failure.status}${failure.serviceCode ? ` (${failure.serviceCode})` : ''} while ${what}.`;
  }
}

/** The AppError an explore/preview call throws for a source failure (table-not-found is decided by the caller). */
export function failureError(failure: Failure, what: string, endpoint: string, timeoutMs: number): AppError {
  const message = describeFailure(failure, what, endpoint, timeoutMs);
  switch (failure.kind) {
    case 'timeout':
      return new AppError('CONNECTOR-1504-504', message);
    case 'busy':
      return new AppError('CONNECTOR-1503-503', message);
    case 'bad-request':
      return new AppError('CONNECTOR-1502-502', message, { serviceCode: failure.serviceCode });
    default:
      return new AppError('CONNECTOR-1502-502', message);
  }
}

/** A signal that fires at the deadline or when the caller aborts, whichever comes first. */
export function deadline(caller: AbortSignal, ms: number): { signal: AbortSignal; deadline: AbortSignal } {
  const timeout = AbortSignal.timeout(ms);
  return { signal: AbortSignal.any([caller, timeout]), deadline: timeout };
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (for calls that take no signal). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}
