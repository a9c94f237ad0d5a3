/**
 * `npm run bench:api [-- --duration 10 | --quick] [--connections 10]`: throughput and latency of the
 * Flow Service GET routes of a whole in-process Sluice (embedded SQLite, temp dir) against a bare
 * Fastify route in the same process, then where a GET's time goes (in-process stage timings and a
 * CPU profile of the server thread). A benchmark, not a test: it prints figures and exits 0.
 *
 * Targets (issue 14), each printed with its verdict: GET /connections/{id} at least 50% of the bare
 * route's req/s with p99 under 10 ms; GET /connections?limit=50 at least 10% of bare; cold start of the
 * embedded default (`node src/main.ts`, UI served) under 1 s. The routes are measured in rounds
 * (bare, one, list, bare, one, list…) and each ratio is the median of its rounds' ratios, so a change in
 * the machine's load during the run moves all three subjects alike.
 */
import { readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runLoad, type LoadSummary } from './support/load.ts';
import { profileWhile } from './support/profile.ts';
import { measureColdStart, median } from './support/cold-start.ts';
import { BASE, seedConnections, startBench } from './support/setup.ts';
import { measureStages } from './support/stages.ts';

const SEEDED = 200;
const usage =
  'usage: node bench/api.ts [--duration seconds per route and round] [--rounds n] [--quick] [--connections n] [--cold-samples n]';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    quick: { type: 'boolean', default: false },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string' },
    'cold-samples': { type: 'string' },
  },
});
const quick = values.quick;
const duration = Number(values.duration ?? (quick ? '2' : '4'));
const rounds = Number(values.rounds ?? (quick ? '2' : '3'));
const coldSamples = Number(values['cold-samples'] ?? (quick ? '3' : '5'));
const connections = Number(values.connections);
if (
  !(duration > 0) ||
  !Number.isInteger(connections) ||
  connections < 1 ||
  !Number.isInteger(rounds) ||
  rounds < 1 ||
  !Number.isInteger(coldSamples) ||
  coldSamples < 1
)
  throw new Error(usage);
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
      `Sluice API benchmark: ${connections} connections, ${warmupSeconds} s warm-up, ${rounds} rounds × ` +
        `${duration} s per route, Node ${process.version}, SQLite store, ${SEEDED} connections seeded`,
    );
    const load1 = (): string =>
      loadavg()
        .map((value) => fixed(value, 2))
        .join(' ');
    console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average at start ${load1()}`);
    console.log(
      `Response sizes: bare ${bareBody.length} B, GET one ${one.body.length} B, GET list ${list.body.length} B\n`,
    );

    type Measured = LoadSummary & { busy: number; cpu: number; round: number };
    const load = async (route: string, url: string, headers: Record<string, string>, round: number) => {
      const before = performance.eventLoopUtilization();
      const cpuBefore = process.threadCpuUsage();
      const summary = await runLoad(route, {
        url,
        headers,
        connections,
        warmupSeconds: round === 1 ? warmupSeconds : 0.5,
        durationSeconds: duration,
      });
      const loop = performance.eventLoopUtilization(before);
      const busy = loop.utilization;
      // The server thread's CPU time (not wall clock: time it was descheduled on a shared machine is not in it).
      const cpuUsed = process.threadCpuUsage(cpuBefore);
      const cpu = (cpuUsed.user + cpuUsed.system) / 1000 / (loop.idle + loop.active);
      console.log(`  round ${round}: measured ${route}`);
      return { ...summary, busy, cpu, round };
    };
    const results: Measured[] = [];
    const subjects = [
      { route: 'bare Fastify GET /ping', url: `${bare.url}/ping`, headers: {} },
      { route: 'GET /connections/{id}', url: `${quiet.url}${getPath}`, headers: bench.headers },
      { route: 'GET /connections?limit=50', url: `${quiet.url}${listPath}`, headers: bench.headers },
    ];
    for (let round = 1; round <= rounds; round += 1) {
      for (const subject of subjects)
        results.push(await load(subject.route, subject.url, subject.headers, round));
    }

    const info = await bench.sluiceApp('info');
    const logBefore = statSync(bench.logFile).size;
    const linesBefore = readFileSync(bench.logFile, 'utf8').split('\n').length;
    const infoRun = await load(
      'GET /connections/{id}, info logging',
      `${info.url}${getPath}`,
      bench.headers,
      1,
    );
    const logBytes = statSync(bench.logFile).size - logBefore;
    const logLines = readFileSync(bench.logFile, 'utf8').split('\n').length - linesBefore;

    const bareOf = (round: number): number =>
      results.find((result) => result.round === round && result.route === subjects[0]?.route)?.reqPerSec ??
      Number.NaN;
    const ratioOf = (result: Measured): number => result.reqPerSec / bareOf(result.round);
    console.log('\nThroughput and latency per round (latency measured by the client, fractional ms)\n');
    console.log(
      table(
        [
          'round',
          'route',
          'req/s',
          'p50 ms',
          'p99 ms',
          'vs bare',
          'server loop busy',
          'server µs/req',
          'server CPU µs/req',
        ],
        [...results, infoRun].map((result) => [
          result === infoRun ? 'after' : String(result.round),
          result.route,
          fixed(result.reqPerSec, 0),
          fixed(result.p50Ms, 2),
          fixed(result.p99Ms, 2),
          `${fixed(100 * (result === infoRun ? result.reqPerSec / bareOf(rounds) : ratioOf(result)), 0)}%`,
          `${fixed(100 * result.busy, 0)}%`,
          fixed((1e6 * result.busy) / result.reqPerSec, 0),
          fixed((1e6 * result.cpu) / result.reqPerSec, 0),
        ]),
      ),
    );
    console.log(`\nload average after the runs: ${load1()} (other processes share this machine)`);
    console.log(`info logging wrote ${logLines} lines, ${logBytes} bytes during its run (incl. warm-up)`);

    const summaryOf = (route: string) => {
      const mine = results.filter((result) => result.route === route);
      return {
        reqPerSec: median(mine.map((result) => result.reqPerSec)),
        ratio: median(mine.map(ratioOf)),
        p99Ms: median(mine.map((result) => result.p99Ms)),
      };
    };
    const single = summaryOf('GET /connections/{id}');
    const paged = summaryOf('GET /connections?limit=50');
    const verdict = (met: boolean): string => (met ? 'MET' : 'MISSED');

    console.log(
      `\nCold start: node src/main.ts on a temp data dir (SQLite + local lake, UI served), ${coldSamples} restarts\n`,
    );
    const cold = await measureColdStart(coldSamples);
    const restartReady = median(cold.restarts.map((sample) => sample.readyMs));
    const restartUi = median(cold.restarts.map((sample) => sample.uiMs));
    const uiCheck = median(cold.uiCheckMs);
    console.log(
      table(
        ['start', 'to /readyz ms', 'to / (UI) ms'],
        [
          [
            'first start on a new data dir (migrate, bootstrap)',
            fixed(cold.fresh.readyMs, 0),
            fixed(cold.fresh.uiMs, 0),
          ],
          [`restart, median of ${cold.restarts.length}`, fixed(restartReady, 0), fixed(restartUi, 0)],
          ...cold.restarts.map((sample, index) => [
            `  restart ${index + 1}`,
            fixed(sample.readyMs, 0),
            fixed(sample.uiMs, 0),
          ]),
          [
            'restart without the compile cache (NODE_DISABLE_COMPILE_CACHE=1)',
            fixed(cold.noCompileCache.readyMs, 0),
            fixed(cold.noCompileCache.uiMs, 0),
          ],
        ],
      ),
    );
    console.log(
      `npm start also runs scripts/build-ui.ts first (UI already built): ${fixed(uiCheck, 0)} ms median ` +
        `(${cold.uiCheckMs.map((ms) => fixed(ms, 0)).join(', ')}) → npm start to ready ≈ ${fixed(uiCheck + restartUi, 0)} ms`,
    );

    const coldMs = Math.max(restartReady, restartUi);
    console.log('\nTargets (issue 14), medians of the rounds above\n');
    console.log(
      table(
        ['target', 'goal', 'measured', 'verdict'],
        [
          [
            'GET /connections/{id} vs bare req/s',
            '>= 50%',
            `${fixed(100 * single.ratio, 0)}% (${fixed(single.reqPerSec, 0)} req/s)`,
            verdict(single.ratio >= 0.5),
          ],
          [
            'GET /connections/{id} p99',
            '< 10 ms',
            `${fixed(single.p99Ms, 2)} ms`,
            verdict(single.p99Ms < 10),
          ],
          [
            'GET /connections?limit=50 vs bare req/s',
            '>= 10%',
            `${fixed(100 * paged.ratio, 0)}% (${fixed(paged.reqPerSec, 0)} req/s)`,
            verdict(paged.ratio >= 0.1),
          ],
          [
            'cold start to ready, node src/main.ts (readyz and UI)',
            '< 1000 ms',
            `${fixed(coldMs, 0)} ms`,
            verdict(coldMs < 1000),
          ],
        ],
      ),
    );

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
