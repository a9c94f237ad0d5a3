/** Test support: REST calls to an emulator over HTTPS, trusting its CA (`ca` option, no insecure mode). */
import { request } from 'node:https';
import type { DatabricksEmulator } from './index.ts';

export interface RestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export function rest(
  emulator: DatabricksEmulator,
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string | null; body?: unknown } = {},
): Promise<RestResponse> {
  const token = options.token === undefined ? emulator.token : options.token;
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${emulator.url}${path}`,
      {
        method,
        ca: emulator.caPem,
        headers: {
          ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
