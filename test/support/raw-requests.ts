/**
 * Requests written byte by byte to a listening Sluice, for what an HTTP client library would refuse to
 * send: a 20 KB request line, oversized headers, bytes that are not HTTP, `..` in the path as is, bad
 * percent-encodings, conflicting framing. Each carries the ECHO marker it must never see in the answer.
 */
import { connect } from 'node:net';

export interface RawRequest {
  readonly name: string;
  readonly bytes: string;
  readonly markers: readonly string[];
}

export interface RawAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

const ECHO = 'ECHORAW';

export function rawRequests(base: string, headers: Record<string, string>): RawRequest[] {
  const credentials = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const get = (path: string, extra = ''): string =>
    `GET ${path} HTTP/1.1\r\nHost: sluice\r\n${credentials}${extra}Connection: close\r\n\r\n`;
  const post = (path: string, type: string, body: string): string =>
    `POST ${path} HTTP/1.1\r\nHost: sluice\r\n${credentials}Content-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  return [
    {
      name: 'request line of 20 KB',
      bytes: get(`${base}/connections/${ECHO}${'a'.repeat(20_000)}`),
      markers: [ECHO],
    },
    {
      name: 'id of 5,000 characters',
      bytes: get(`${base}/connections/${ECHO}${'a'.repeat(5000)}`),
      markers: [ECHO],
    },
    {
      name: 'query of 9,000 characters',
      bytes: get(`${base}/connections?property=name==${ECHO}${'a'.repeat(9000)}`),
      markers: [ECHO],
    },
    {
      name: 'header of 20 KB',
      bytes: get(`${base}/connections`, `X-Big: ${ECHO}${'b'.repeat(20_000)}\r\n`),
      markers: [ECHO],
    },
    {
      name: '200 headers of 100 bytes',
      bytes: get(
        `${base}/connections`,
        Array.from({ length: 200 }, (_, i) => `X-H${i}: ${ECHO}${'h'.repeat(90)}\r\n`).join(''),
      ),
      markers: [ECHO],
    },
    {
      name: 'bad percent-encoding in the path',
      bytes: get(`${base}/connections/%ff%fe${ECHO}`),
      markers: [ECHO],
    },
    {
      name: 'bad percent-encoding in a route-less path',
      bytes: get(`${base}/%c0%af${ECHO}`),
      markers: [ECHO],
    },
    {
      name: 'NUL in the path',
      bytes: get(`${base}/data/foundation/catalog/batches/%00${ECHO}`),
      markers: [ECHO],
    },
    {
      name: '/docs/static/../../package.json as is',
      bytes: get('/docs/static/../../package.json'),
      markers: ['"name": "sluice"', 'devDependencies'],
    },
    {
      name: '/docs/static/..%2f..%2fpackage.json',
      bytes: get('/docs/static/..%2f..%2fpackage.json'),
      markers: ['devDependencies'],
    },
    { name: 'not HTTP at all', bytes: `${ECHO} \u0001\u0002 garbage\r\n\r\n`, markers: [ECHO] },
    {
      name: 'CONNECT (a proxy request)',
      bytes: `CONNECT ${ECHO}.example:443 HTTP/1.1\r\nHost: ${ECHO}.example:443\r\n\r\n`,
      markers: [ECHO],
    },
    {
      name: 'absolute-form target',
      bytes: `GET http://${ECHO}.example${base}/connections HTTP/1.1\r\nHost: x\r\n${credentials}\r\n`,
      markers: [],
    },
    { name: 'HTTP/2 preface', bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', markers: [] },
    {
      name: 'unknown HTTP version',
      bytes: `GET ${base}/connections HTTP/9.9\r\nHost: x\r\n\r\n`,
      markers: [],
    },
    { name: 'no Host header', bytes: `GET ${base}/connections HTTP/1.1\r\n${credentials}\r\n`, markers: [] },
    {
      name: 'space in the request target',
      bytes: `GET ${base}/conn ections${ECHO} HTTP/1.1\r\nHost: x\r\n\r\n`,
      markers: [ECHO],
    },
    {
      name: 'control character in a header',
      bytes: get(`${base}/connections`, `X-Bad: a\u0001${ECHO}\r\n`),
      markers: [ECHO],
    },
    { name: 'header without a colon', bytes: get(`${base}/connections`, `${ECHO}\r\n`), markers: [ECHO] },
    {
      name: 'Content-Length and Transfer-Encoding together',
      bytes: `POST ${base}/connections HTTP/1.1\r\nHost: x\r\n${credentials}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      markers: [],
    },
    {
      name: 'two Content-Length headers',
      bytes: `POST ${base}/connections HTTP/1.1\r\nHost: x\r\n${credentials}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      markers: [],
    },
    {
      name: 'malformed chunk',
      bytes: `POST ${base}/connections HTTP/1.1\r\nHost: x\r\n${credentials}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz${ECHO}\r\n\r\n`,
      markers: [ECHO],
    },
    {
      name: 'body without a content type',
      bytes: `POST ${base}/connections HTTP/1.1\r\nHost: x\r\n${credentials}Content-Length: 9\r\nConnection: close\r\n\r\n${ECHO.slice(0, 9)}`,
      markers: [],
    },
    {
      name: 'charset=utf-16 with a UTF-8 body',
      bytes: post(`${base}/connections`, 'application/json; charset=utf-16', '{"name":"x"}'),
      markers: [],
    },
    {
      name: 'invalid JSON',
      bytes: post(`${base}/connections`, 'application/json', `{"name": ${ECHO}`),
      markers: [ECHO],
    },
    {
      name: 'NUL escaped in JSON',
      bytes: post(`${base}/connections?mode=draft`, 'application/json', `{"name":"a\\u0000${ECHO}"}`),
      markers: [ECHO],
    },
    {
      name: 'raw NUL byte in JSON',
      bytes: post(`${base}/connections?mode=draft`, 'application/json', `{"name":"a\u0000${ECHO}"}`),
      markers: [ECHO],
    },
    {
      name: 'invalid UTF-8 in JSON',
      bytes: post(`${base}/connections?mode=draft`, 'application/json', `{"name":"\udcff${ECHO}"}`),
      markers: [ECHO],
    },
  ];
}

/** Sends the bytes on a fresh socket and parses the first answer; `undefined` when none came. */
export function sendRaw(port: number, bytes: string, timeoutMs = 5000): Promise<RawAnswer | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    /** The answer once its head and its Content-Length of body have arrived. */
    const parse = (): RawAnswer | undefined => {
      const data = Buffer.concat(chunks);
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return undefined;
      const head = data.subarray(0, end).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      if (status === undefined) return undefined;
      const contentType = /^content-type:\s*(.+)$/im.exec(head)?.[1]?.trim();
      const length = Number(/^content-length:\s*(\d+)$/im.exec(head)?.[1] ?? NaN);
      const rest = data.subarray(end + 4);
      if (Number.isFinite(length) && rest.length < length) return undefined;
      const body = (Number.isFinite(length) ? rest.subarray(0, length) : rest).toString('utf8');
      return { status: Number(status), contentType, body };
    };
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse());
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (parse() !== undefined) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(bytes);
  });
}
