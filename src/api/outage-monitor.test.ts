import { describe, expect, it } from 'vitest';
import { createOutageMonitor } from './outage-monitor.ts';

function recorder() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  return {
    lines,
    log: {
      warn: (fields: Record<string, unknown>, message: string) =>
        lines.push({ level: 'warn', message, fields }),
      info: (fields: Record<string, unknown>, message: string) =>
        lines.push({ level: 'info', message, fields }),
    },
  };
}

describe('outage monitor', () => {
  it('logs an outage once when it starts and once when a probe finds the dependency again', async () => {
    const { lines, log } = recorder();
    let up = false;
    const monitor = createOutageMonitor({
      name: 'store',
      probe: () => (up ? Promise.resolve() : Promise.reject(new Error('down'))),
      log,
      intervalMs: 10,
    });
    for (let index = 0; index < 5; index += 1) monitor.failed();
    expect(monitor.reachable).toBe(false);
    expect(await monitor.check()).toBe(false);
    expect(lines.map((line) => line.message)).toEqual(['store unreachable: answering 503 until it is back']);
    up = true;
    for (let index = 0; index < 100 && !monitor.reachable; index += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(monitor.reachable).toBe(true);
    expect(lines.map((line) => line.message)).toEqual([
      'store unreachable: answering 503 until it is back',
      'store reachable again',
    ]);
    expect(lines[1]?.fields).toMatchObject({ dependency: 'store', failedRequests: 5 });
    expect(JSON.stringify(lines)).not.toContain('down');
    monitor.close();
  });

  it('treats a probe slower than the timeout as a failure', async () => {
    const { lines, log } = recorder();
    const monitor = createOutageMonitor({
      name: 'store',
      probe: () => new Promise(() => undefined),
      log,
      timeoutMs: 20,
    });
    expect(await monitor.check()).toBe(false);
    expect(lines).toHaveLength(1);
    monitor.close();
  });

  it('runs one probe at a time', async () => {
    let calls = 0;
    const monitor = createOutageMonitor({
      name: 'store',
      probe: async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
      log: recorder().log,
    });
    await Promise.all([monitor.check(), monitor.check(), monitor.check()]);
    expect(calls).toBe(1);
    monitor.close();
  });
});
