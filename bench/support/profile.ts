/**
 * A V8 CPU profile of this thread (the server; the load generator runs in a worker) while `work`
 * runs, summarised as self time per code area and per function. Areas: a package under
 * node_modules, a directory of src/, Node's own JS (node:), or V8's (idle)/(program)/(garbage
 * collector). Native calls (node:sqlite, crypto) are charged to the JS function that made them.
 */
import type { Profiler, Runtime } from 'node:inspector';
import { Session } from 'node:inspector/promises';

export interface ProfileShare {
  readonly name: string;
  /** Share of all samples, in percent. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly samples: number;
  readonly areas: readonly ProfileShare[];
  readonly functions: readonly ProfileShare[];
  /** Self plus callees, for functions of src/ and the HTTP stack (each sample counted once per function). */
  readonly inclusive: readonly ProfileShare[];
}

function areaOf(frame: Runtime.CallFrame): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native / builtin)';
  if (url.startsWith('node:')) return 'node: (http, streams, timers…)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) return modules[1];
  const source = /\/(src\/[^/]+)\//.exec(url);
  if (source?.[1] !== undefined) return source[1];
  return url.replace(/^file:\/\//, '');
}

function functionOf(frame: Runtime.CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  const file = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/');
  return file === '' ? name : `${name} ${file}:${frame.lineNumber + 1}`;
}

const INCLUSIVE_AREAS = /\/src\/|node_modules\/(fastify|pino|kysely|find-my-way|fast-json-stringify)\//;

const top = (counts: Map<string, number>, total: number, limit: number): ProfileShare[] =>
  [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, count]) => ({ name, percent: (100 * count) / total }));

/** Samples under each function matching `keep`, counting a sample once even under recursion. */
function inclusiveOf(
  profile: Profiler.Profile,
  keep: (frame: Runtime.CallFrame) => boolean,
): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<string, number>();
  const walk = (id: number, above: ReadonlySet<string>): void => {
    const node = byId.get(id);
    if (node === undefined) return;
    const name = functionOf(node.callFrame);
    const here = keep(node.callFrame) && !above.has(name) ? new Set([...above, name]) : above;
    const hits = node.hitCount ?? 0;
    if (hits > 0) for (const fn of here) counts.set(fn, (counts.get(fn) ?? 0) + hits);
    for (const child of node.children ?? []) walk(child, here);
  };
  const root = profile.nodes[0];
  if (root !== undefined) walk(root.id, new Set());
  return counts;
}

export async function profileWhile(work: () => Promise<unknown>): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const failure = await work().then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    const { profile } = await session.post('Profiler.stop');
    if (failure !== undefined) throw failure.error;
    const areas = new Map<string, number>();
    const functions = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      total += hits;
      const area = areaOf(node.callFrame);
      areas.set(area, (areas.get(area) ?? 0) + hits);
      const fn = functionOf(node.callFrame);
      functions.set(fn, (functions.get(fn) ?? 0) + hits);
    }
    return {
      samples: total,
      areas: top(areas, total, 14),
      functions: top(functions, total, 20),
      inclusive: top(
        inclusiveOf(profile, (frame) => INCLUSIVE_AREAS.test(frame.url)),
        total,
        30,
      ),
    };
  } finally {
    session.disconnect();
  }
}
