/**
 * `npm run bench:api [-- --duration 10 | --quick] [--connections 10]`: throughput and latency of the
 * Flow Service GET routes of a whole in-process Sluice (embedded SQLite, temp dir) against a bare
 * Fastify route in the same process, then where a GET's time goes (in-process stage timings and a
 * CPU profile of the server thread). A benchmark, not a test: it prints figures and exits 0.
 *
 * Target for GET /connections/{id}: at least 50% of the bare route's req/s, and p99 under 10 ms.
 */
import { readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runLoad, type LoadSummary } from './support/load.ts';
import { profileWhile } from './support/profile.ts';
import { BASE, seedConnections, startBench } from './support/setup.ts';
import { measureStages } from './support/stages.ts';

const SEEDED = 200;
const usage = 'usage: node bench/api.ts [--duration seconds] [--quick] [--connections n]';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    quick: { type: 'boolean', default: false },
    connections: { type: 'string', default: '10' },
  },
});
const quick = values.quick;
const duration = Number(values.duration ?? (quick ? '3' : '10'));
const connections = Number(values.connections);
if (!(duration > 0) || !Number.isInteger(connections) || connections < 1) throw new Error(usage);
const warmupSeconds = quick ? 1 : 3;
const iterations = quick ? 3_000 : 20_000;

const fixed = (value: number, digits: number): string => value.toFixed(digits);
const table = (header: string[], rows: string[][]): string => {
  const widths = header.map((cell, index) =>
    Math.max(cell.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (row: string[]): string =>
    row
      .map((cell, index) =>
        index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
      )
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
};

async function main(): Promise<void> {
  const bench = await startBench();
  try {
    const quiet = await bench.sluiceApp('warn');
    const ids = await seedConnections(quiet.app, bench.headers, SEEDED);
    const id = ids[Math.floor(ids.length / 2)] ?? '';
    const getPath = `${BASE}/connections/${id}`;
    const listPath = `${BASE}/connections?limit=50`;
    const list = await quiet.app.inject({ method: 'GET', url: listPath, headers: bench.headers });
    const listBody = JSON.parse(list.body) as { items?: unknown[]; _links?: { next?: unknown } };
    if (list.statusCode !== 200 || listBody.items?.length !== 50 || listBody._links?.next === undefined) {
      throw new Error(`GET ?limit=50 did not return a full page with a next link: HTTP ${list.statusCode}`);
    }
    const one = await quiet.app.inject({ method: 'GET', url: getPath, headers: bench.headers });
    if (one.statusCode !== 200 || one.body.includes(`dapi`))
      throw new Error(`GET one: HTTP ${one.statusCode} or unmasked`);
    const bare = await bench.bareApp();
    const bareBody = await (await fetch(`${bare.url}/ping`)).text();

    console.log(
      `Sluice API benchmark: ${connections} connections, ${warmupSeconds} s warm-up + ${duration} s per route, ` +
        `Node ${process.version}, SQLite store, ${SEEDED} connections seeded`,
    );
    const load1 = (): string =>
      loadavg()
        .map((value) => fixed(value, 2))
        .join(' ');
    console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average at start ${load1()}`);
    console.log(
      `Response sizes: bare ${bareBody.length} B, GET one ${one.body.length} B, GET list ${list.body.length} B\n`,
    );

    const load = async (route: string, url: string, headers: Record<string, string>) => {
      const before = performance.eventLoopUtilization();
      const summary = await runLoad(route, {
        url,
        headers,
        connections,
        warmupSeconds,
        durationSeconds: duration,
      });
      const busy = performance.eventLoopUtilization(before).utilization;
      console.log(`  measured ${route}`);
      return { ...summary, busy };
    };
    const results: (LoadSummary & { busy: number })[] = [];
    results.push(await load('bare Fastify GET /ping', `${bare.url}/ping`, {}));
    results.push(await load('GET /connections/{id}', `${quiet.url}${getPath}`, bench.headers));
    results.push(await load('GET /connections?limit=50', `${quiet.url}${listPath}`, bench.headers));

    const info = await bench.sluiceApp('info');
    const logBefore = statSync(bench.logFile).size;
    const linesBefore = readFileSync(bench.logFile, 'utf8').split('\n').length;
    results.push(await load('GET /connections/{id}, info logging', `${info.url}${getPath}`, bench.headers));
    const logBytes = statSync(bench.logFile).size - logBefore;
    const logLines = readFileSync(bench.logFile, 'utf8').split('\n').length - linesBefore;

    const bareRate = results[0]?.reqPerSec ?? Number.NaN;
    console.log('\nThroughput and latency (latency measured by the client, fractional ms)\n');
    console.log(
      table(
        ['route', 'req/s', 'p50 ms', 'p99 ms', 'vs bare', 'server loop busy', 'server µs/req'],
        results.map((result) => [
          result.route,
          fixed(result.reqPerSec, 0),
          fixed(result.p50Ms, 2),
          fixed(result.p99Ms, 2),
          `${fixed((100 * result.reqPerSec) / bareRate, 0)}%`,
          `${fixed(100 * result.busy, 0)}%`,
          fixed((1e6 * result.busy) / result.reqPerSec, 0),
        ]),
      ),
    );
    console.log(`\nload average after the runs: ${load1()} (other processes share this machine)`);
    console.log(`info logging wrote ${logLines} lines, ${logBytes} bytes during its run (incl. warm-up)`);

    const single = results[1];
    if (single !== undefined) {
      const ratio = single.reqPerSec / bareRate;
      const met = ratio >= 0.5 && single.p99Ms < 10;
      console.log(
        `\nTarget for GET /connections/{id} (>= 50% of bare req/s and p99 < 10 ms): ${met ? 'MET' : 'MISSED'} ` +
          `(${fixed(100 * ratio, 0)}% of bare, p99 ${fixed(single.p99Ms, 2)} ms)`,
      );
    }

    console.log(
      `\nWhere the time goes: stages called one at a time in-process, mean µs per call (${iterations} iterations)\n`,
    );
    const stages = await measureStages({
      sluice: bench.sluice,
      app: quiet.app,
      credentials: bench.credentials,
      headers: bench.headers,
      connectionId: id,
      getPath,
      listPath,
      iterations,
      bareApp: bare.app,
    });
    console.log(
      table(
        ['stage', 'µs'],
        stages.map((stage) => [`${'  '.repeat(stage.depth)}${stage.stage}`, fixed(stage.micros, 1)]),
      ),
    );

    const profileSeconds = Math.min(duration, 5);
    console.log(
      `\nCPU profile of the server thread during ${profileSeconds} s of GET /connections/{id} load (self time)\n`,
    );
    const profile = await profileWhile(() =>
      runLoad('profiled GET', {
        url: `${quiet.url}${getPath}`,
        headers: bench.headers,
        connections,
        warmupSeconds: 0,
        durationSeconds: profileSeconds,
      }),
    );
    console.log(
      table(
        ['area', 'self %'],
        profile.areas.map((area) => [area.name, fixed(area.percent, 1)]),
      ),
    );
    console.log('');
    console.log(
      table(
        ['function', 'self %'],
        profile.functions.map((fn) => [fn.name, fixed(fn.percent, 1)]),
      ),
    );
    console.log('');
    console.log(
      table(
        ['function (inclusive: self + callees)', '%'],
        profile.inclusive.map((fn) => [fn.name, fixed(fn.percent, 1)]),
      ),
    );
    console.log(`(${profile.samples} samples at 200 µs)`);
  } finally {
    await bench.close();
  }
}

await main();
