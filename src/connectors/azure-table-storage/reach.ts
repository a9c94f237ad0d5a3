/**
 * The `reach` stage's probe: one TCP connection (http) or TLS handshake (https, system roots plus the
 * configured extra CAs, certificate and host name verified) to the table endpoint, then closed.
 * DNS failure, refusal, timeout and an untrusted certificate each give their own message.
 */
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import { formatDuration, networkText } from './failures.ts';

export interface ProbeTarget {
  readonly protocol: 'http' | 'https';
  readonly host: string;
  readonly port: number;
}

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

export function probe(
  target: ProbeTarget,
  options: {
    readonly timeoutMs: number;
    readonly signal: AbortSignal;
    readonly extraCaCerts: readonly string[];
  },
): Promise<ProbeResult> {
  const where = `${target.host}:${target.port}`;
  return new Promise((resolve) => {
    let settled = false;
    let socket: Socket | undefined;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      socket?.destroy();
      resolve(result);
    };
    const onAbort = (): void => {
      finish({ ok: false, message: `The connection test was cancelled while connecting to ${where}.` });
    };
    const timer = setTimeout(() => {
      finish({
        ok: false,
        message: `No answer from ${where} within ${formatDuration(options.timeoutMs)} (connection timed out); check the endpoint, the port and any firewall between Sluice and Azure.`,
      });
    }, options.timeoutMs);
    if (options.signal.aborted) {
      onAbort();
      return;
    }
    options.signal.addEventListener('abort', onAbort, { once: true });

    const onError = (error: NodeJS.ErrnoException): void => {
      const code = error.code ?? 'unknown';
      const hint =
        code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? ' Check the account name, EndpointSuffix or TableEndpoint.'
          : code === 'ECONNREFUSED'
            ? ' Check the port and that the service is running.'
            : code.includes('CERT') || code.includes('SIGNATURE')
              ? ' Add the issuing CA to SLUICE_EXTRA_CA_CERTS if it is a private CA.'
              : '';
      finish({ ok: false, message: `Could not connect to ${where}: ${networkText(code)}.${hint}` });
    };
    if (target.protocol === 'https') {
      socket = tlsConnect({
        host: target.host,
        port: target.port,
        ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
        ca: options.extraCaCerts.length === 0 ? undefined : [...rootCertificates, ...options.extraCaCerts],
        rejectUnauthorized: true,
      });
      socket.once('secureConnect', () => {
        finish({ ok: true });
      });
    } else {
      socket = tcpConnect({ host: target.host, port: target.port });
      socket.once('connect', () => {
        finish({ ok: true });
      });
    }
    socket.once('error', onError);
  });
}
