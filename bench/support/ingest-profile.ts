/**
 * Where a flow's time goes, from a V8 CPU profile (`.cpuprofile`): each sample's time is charged to the
 * nearest frame (itself or an ancestor) whose script belongs to a known stage, so time spent inside
 * native code (DuckDB's appender, zstd, TLS) lands on the JS stage that called it.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const STAGES: [RegExp, string][] = [
  [/\/src\/connectors\/azure-table-storage\//, 'connector: ATS read + normalise'],
  [/\/src\/connectors\/databricks\//, 'connector: Databricks read + normalise'],
  [/\/src\/connectors\//, 'connector: shared'],
  [/\/src\/flows\//, 'runner: executor, overlap guard, row mapper'],
  [/\/src\/domain\//, 'map: mapRow / value conversion'],
  [/\/src\/lake\//, 'lake: writer (DuckDB appender, Parquet)'],
  [/@duckdb\//, 'lake: DuckDB binding'],
  [/@azure\//, 'Azure SDK (HTTP, JSON, deserialise)'],
  [/@databricks\/|\/thrift\/|node-int64|apache-arrow/, 'Databricks driver + Thrift'],
  [/\/src\/store\/|kysely/, 'store (SQLite) + commit'],
  [/\/src\//, 'Sluice: other'],
  [/node_modules/, 'other packages'],
];

function stageOf(url: string): string | undefined {
  if (url === '') return undefined;
  for (const [pattern, stage] of STAGES) if (pattern.test(url)) return stage;
  return 'node internals (streams, http, tls)';
}

/** Percent of sampled time per stage, largest first (idle = waiting for the source or for I/O). */
export function summariseProfile(file: string): { stage: string; percent: number; seconds: number }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stageCache = new Map<number, string>();
  const stageOfNode = (id: number): string => {
    const cached = stageCache.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id);
    const name = node?.callFrame.functionName ?? '';
    let stage: string;
    if (name === '(idle)') stage = 'idle (waiting on the source / I/O)';
    else if (name === '(garbage collector)') stage = 'garbage collection';
    else if (name === '(program)') stage = 'V8 / native, unattributed';
    else {
      const own = stageOf(node?.callFrame.url ?? '');
      const up = parent.get(id);
      stage = own ?? (up === undefined ? 'V8 / native, unattributed' : stageOfNode(up));
    }
    stageCache.set(id, stage);
    return stage;
  };
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    all += delta;
    const stage = stageOfNode(id);
    totals.set(stage, (totals.get(stage) ?? 0) + delta);
  });
  return [...totals]
    .map(([stage, micros]) => ({
      stage,
      percent: Number(((micros / all) * 100).toFixed(1)),
      seconds: Number((micros / 1e6).toFixed(2)),
    }))
    .sort((a, b) => b.percent - a.percent);
}
