/**
 * A TCP proxy on loopback that adds a round-trip time: every chunk is forwarded `rttMs / 2` after it
 * arrived, in each direction, in order. A request and its answer therefore take one `rttMs` more, as over a
 * network path with that latency (bandwidth is not limited). Used by `bench:ingest --rtt`.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface LatencyProxy {
  readonly port: number;
  close(): Promise<void>;
}

/** Forwards from `from` to `to`, each chunk `delayMs` after it arrived, keeping the order. */
function delayed(from: Socket, to: Socket, delayMs: number): void {
  const queue: { due: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0]?.due ?? Infinity) <= now)
      to.write(queue.shift()?.chunk ?? Buffer.alloc(0));
    if (queue.length > 0) timer = setTimeout(flush, Math.max(0, (queue[0]?.due ?? now) - now));
    else if (ended) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ due: performance.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  });
  from.on('end', () => {
    ended = true;
    timer ??= setTimeout(flush, delayMs);
  });
}

export async function startLatencyProxy(
  target: { host: string; port: number },
  rttMs: number,
): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayed(client, upstream, rttMs / 2);
    delayed(upstream, client, rttMs / 2);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
