/**
 * Runs inside a network namespace with only loopback up (test/egress-netns.integration.test.ts starts it
 * with `ip netns exec`), so no packet can leave the machine: a destination the policy fails to refuse
 * ends in "network unreachable" (or reaches a local port), never on a real network.
 *
 * It creates connections through the real API and connectors for every form of egress-forms.ts, in a
 * Sluice listening address that is not loopback (so production is the default, as it must be), probes
 * one open, one closed and one silent local port, and does the same in development mode as the control.
 * It prints one JSON document on stdout.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { ALLOWED_ADDRESSES, REFUSED_ADDRESSES, REFUSED_URLS } from './egress-forms.ts';
import { startTestSluice, type TestSluice } from './sluice.ts';

interface Outcome {
  readonly form: string;
  readonly connector: 'databricks' | 'ats';
  readonly status: number;
  readonly code: string;
  readonly stage: string | undefined;
  readonly message: string;
}

const listen = (server: Server | ReturnType<typeof createHttpServer>): Promise<number> =>
  new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });

const urlHost = (address: string): string => (address.includes(':') ? `[${address}]` : address);

async function attempt(t: TestSluice, form: string, connector: Outcome['connector'], origin: string) {
  const body =
    connector === 'databricks'
      ? {
          name: 'egress probe',
          auth: {
            specName: 'Access Token Authentication',
            params: { domain: origin, clusterId: 'c-1', accessToken: 'dapi-probe', database: 'd' },
          },
          connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
        }
      : {
          name: 'egress probe',
          auth: {
            specName: 'Connection String Based Authentication',
            params: {
              connectionString: `DefaultEndpointsProtocol=http;AccountName=probe;AccountKey=${Buffer.from('k').toString('base64')};TableEndpoint=${origin}/probe`,
            },
          },
          connectionSpec: { id: 'ecde33f2-c56f-46cc-bdea-ad151c16cd69', version: '1.0' },
        };
  const response = await t.request('POST', '/connections', { body });
  const problem = response.json() as { type?: string; errorMessage?: string; report?: { stage?: string } };
  return {
    form,
    connector,
    status: response.statusCode,
    code: problem.type?.split('/').at(-1) ?? '',
    stage: problem.report?.stage,
    message: problem.errorMessage ?? '',
  } satisfies Outcome;
}

async function main(): Promise<void> {
  const open = createHttpServer((_request, response) => response.writeHead(404).end());
  const silent = createServer(() => undefined);
  const closed = createServer();
  const ports = { open: await listen(open), silent: await listen(silent), closed: await listen(closed) };
  await new Promise((resolve) => closed.close(resolve));

  const production = await startTestSluice({
    env: { SLUICE_HOST: '0.0.0.0', SLUICE_STAGE_TIMEOUT_MS: '1000', SLUICE_AUTH_FAILURE_LIMIT: '100000' },
  });
  const development = await startTestSluice({
    env: { SLUICE_HOST: '127.0.0.1', SLUICE_STAGE_TIMEOUT_MS: '1000' },
  });
  const result: Record<string, unknown> = {
    mode: production.sluice.config.mode,
    modeSource: production.sluice.config.modeSource,
  };
  try {
    const refused: Outcome[] = [];
    for (const address of REFUSED_ADDRESSES) {
      refused.push(await attempt(production, address, 'databricks', `https://${urlHost(address)}:443`));
      refused.push(await attempt(production, address, 'ats', `http://${urlHost(address)}:10002`));
    }
    for (const url of REFUSED_URLS) refused.push(await attempt(production, url, 'databricks', url));
    const allowed: Outcome[] = [];
    for (const address of ALLOWED_ADDRESSES) {
      allowed.push(await attempt(production, address, 'databricks', `https://${urlHost(address)}:443`));
    }
    const portStates = async (t: TestSluice): Promise<Outcome[]> => {
      const out: Outcome[] = [];
      for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]']) {
        for (const [state, port] of Object.entries(ports)) {
          out.push(await attempt(t, `${host} ${state}`, 'databricks', `https://${host}:${port}`));
          out.push(await attempt(t, `${host} ${state}`, 'ats', `http://${host}:${port}`));
        }
      }
      return out;
    };
    const gap = [
      await attempt(development, '64:ff9b::7f00:1', 'databricks', 'https://[64:ff9b::7f00:1]:443'),
      await attempt(development, '10.0.0.1', 'databricks', 'https://10.0.0.1:443'),
      await attempt(development, '2002:7f00:1::1', 'ats', 'http://[2002:7f00:1::1]:10002'),
    ];
    Object.assign(result, {
      ports,
      refused,
      allowed,
      productionPorts: await portStates(production),
      developmentPorts: await portStates(development),
      gap,
    });
  } finally {
    await production.close();
    await development.close();
    open.close();
    silent.close();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
