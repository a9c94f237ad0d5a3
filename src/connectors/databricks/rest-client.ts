/**
 * The seam over node:https for the workspace REST API and the TLS reachability probe. Trust is always the
 * system roots plus the configured extra CAs; certificate verification is never disabled. Every call is
 * bounded by an AbortSignal (the caller's signal combined with a timeout), so a host that accepts the TCP
 * connection and never answers cannot hold a request.
 */
import { request } from 'node:https';
import { connect, rootCertificates } from 'node:tls';
import { isIP } from 'node:net';

export type TransportKind = 'tls' | 'refused' | 'unreachable' | 'timeout' | 'aborted' | 'network';

/** A failure below HTTP: the message is safe to show (it never contains the token). */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly kind: TransportKind;
  readonly code: string | undefined;
  constructor(kind: TransportKind, message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.code = code;
  }
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly extraCaCerts: readonly string[];
}

export interface Deadline {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export interface RestResponse {
  readonly status: number;
  readonly body: unknown;
}

const trust = (endpoint: Endpoint): string[] => [...rootCertificates, ...endpoint.extraCaCerts];

/** Certificate-verification failures (OpenSSL and Node codes). */
const isCertificateError = (code: string | undefined): boolean =>
  code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/.test(code);

/** Turns a socket or TLS error into a TransportError whose message names the host, never a secret. */
export const classify = (error: unknown, endpoint: Endpoint, deadline: Deadline): TransportError => {
  if (error instanceof TransportError) return error;
  const where = `${endpoint.host}:${endpoint.port}`;
  if (deadline.signal.aborted) {
    const reason: unknown = deadline.signal.reason;
    if (reason instanceof DOMException && reason.name === 'TimeoutError') {
      return new TransportError(
        'timeout',
        `${where} did not answer within ${deadline.timeoutMs} ms`,
        'ETIMEDOUT',
      );
    }
    return new TransportError('aborted', `the request to ${where} was cancelled`, 'ABORT_ERR');
  }
  const code = (error as { code?: unknown }).code;
  const codeText = typeof code === 'string' ? code : undefined;
  if (isCertificateError(codeText)) {
    const detail = codeText === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'its name does not match' : codeText;
    return new TransportError(
      'tls',
      `the certificate of ${endpoint.host} is not trusted (${detail}); add its CA to SLUICE_EXTRA_CA_CERTS`,
      codeText,
      { cause: error },
    );
  }
  if (codeText === 'ECONNREFUSED') {
    return new TransportError('refused', 'the connection was refused', codeText, { cause: error });
  }
  if (
    codeText === 'EHOSTUNREACH' ||
    codeText === 'ENETUNREACH' ||
    codeText === 'ENOTFOUND' ||
    codeText === 'EAI_AGAIN'
  ) {
    return new TransportError('unreachable', `${where} is unreachable (${codeText})`, codeText, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : 'unknown error';
  return new TransportError(
    'network',
    `the connection to ${where} failed (${codeText ?? message})`,
    codeText,
    {
      cause: error,
    },
  );
};

/** An AbortSignal that fires when the caller cancels or `timeoutMs` elapses. */
export const deadline = (signal: AbortSignal, timeoutMs: number): Deadline => ({
  signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  timeoutMs,
});

/** Opens a TLS connection and completes the handshake with full verification, then closes it. */
export const probeTls = (endpoint: Endpoint, limit: Deadline): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    if (limit.signal.aborted) {
      reject(classify(new Error('aborted'), endpoint, limit));
      return;
    }
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      ca: trust(endpoint),
      ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
      minVersion: 'TLSv1.2',
    });
    const onAbort = (): void => {
      socket.destroy();
      reject(classify(new Error('aborted'), endpoint, limit));
    };
    limit.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      limit.signal.removeEventListener('abort', onAbort);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      limit.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(classify(error, endpoint, limit));
    });
  });

/**
 * One REST call with a bearer token. Resolves with any HTTP status (the caller interprets 4xx/5xx);
 * rejects with a TransportError below HTTP. Bodies that are not JSON come back as `undefined`.
 */
export const restCall = (
  endpoint: Endpoint,
  token: string,
  call: { readonly method: 'GET' | 'POST'; readonly path: string; readonly body?: unknown },
  limit: Deadline,
): Promise<RestResponse> =>
  new Promise<RestResponse>((resolve, reject) => {
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const req = request(
      {
        host: endpoint.host,
        port: endpoint.port,
        path: call.path,
        method: call.method,
        ca: trust(endpoint),
        ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
        agent: false,
        signal: limit.signal,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'user-agent': 'sluice',
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          reject(classify(error, endpoint, limit));
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text === '' ? undefined : (JSON.parse(text) as unknown);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', (error) => {
      reject(classify(error, endpoint, limit));
    });
    req.end(payload);
  });

/** Databricks REST errors look like `{"error_code": "...", "message": "..."}`. */
export const restError = (body: unknown): { code: string; message: string } => {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = typeof record.error_code === 'string' ? record.error_code : '';
  const message = typeof record.message === 'string' ? record.message : '';
  return { code, message };
};
