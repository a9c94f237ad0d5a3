/**
 * An Azurite table service of one test's own, which the test may stop and start again on the same
 * port (so connection strings stay valid). In-memory: a restart loses every table, so the test
 * re-creates what it needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './azurite.ts';
import { freePort } from './free-port.ts';

export interface PrivateAzurite {
  readonly port: number;
  readonly connectionString: string;
  /** Kills the process at once, as a crash or a network cut would look to a reader. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivateAzurite(): Promise<PrivateAzurite> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const next = spawn(
      'node_modules/.bin/azurite-table',
      [
        '--inMemoryPersistence',
        '--tableHost',
        '127.0.0.1',
        '--tablePort',
        String(port),
        '--loose',
        '--skipApiVersionCheck',
        '--disableTelemetry',
        '--silent',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = next;
    let log = '';
    next.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    next.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (next.exitCode !== null) throw new Error(`Azurite exited early: ${log}`);
      try {
        await (await fetch(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}/Tables`)).arrayBuffer();
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`Azurite did not listen on ${port} within 20 s: ${log}`);
  };
  await start();
  return {
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
    start,
    async stop() {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await exited;
    },
  };
}
