/**
 * What the `sluice` commands call: one interface, two implementations. `local-backend.ts` calls the
 * services of an in-process Sluice (the embedded default); `remote/backend.ts` calls a Sluice server's
 * public API over HTTP (`--url`, `SLUICE_URL`, a profile). Commands render what these return, so each
 * command's output code exists once, whichever side answered.
 *
 * The types are the ones the commands render: domain objects where the API gives everything needed to
 * rebuild them (flows, datasets), narrower views where it does not (a run's window before it starts, a
 * batch's file count).
 */
import type { Dataset } from '../domain/dataset.ts';
import type { Flow } from '../domain/flow-entities.ts';
import type { Run, RunWindow } from '../domain/run.ts';
import type { QueryResult } from '../lake/index.ts';
import type { ExploreResult } from '../services/explore.ts';

/**
 * A run as the CLI shows it. `window` is absent only over HTTP for a scheduled or queued run that is not
 * on-demand: the API states a run's window in its copy activity, which exists once the run has started.
 */
export type RunInfo = Omit<Run, 'window'> & { readonly window?: RunWindow };

export type DatasetInfo = Pick<Dataset, 'id' | 'name' | 'description' | 'schema' | 'schemaRef' | 'created'>;

export interface BatchInfo {
  readonly id: string;
  readonly status: string;
  readonly records: number;
  readonly bytes: number;
  readonly files: number;
  readonly completed: number | null;
}

/** Explore's query as the API takes it (strings), so both sides validate it with parseExploreQuery. */
export interface ExploreQuery {
  readonly objectType: 'root' | 'table';
  readonly object?: string;
  readonly preview?: 'true';
  readonly count?: string;
  /** base64 of the PQL filter JSON. */
  readonly filters?: string;
}

/** A sandbox of the org; `id` only in-process (Adobe's Sandbox Management API names sandboxes only). */
export interface SandboxInfo {
  readonly name: string;
  readonly title: string;
  readonly id?: string;
  readonly createdAt: number;
}

export interface DatasetCreateInput {
  readonly name: string;
  readonly schema: unknown;
  readonly description?: string;
}

export interface CliBackend {
  /** `in-process` or the server's URL: for messages. */
  readonly where: string;
  listFlows(): Promise<Flow[]>;
  getFlow(id: string): Promise<Flow>;
  /** The newest `limit` runs of a flow, newest first; an unknown flow is an error. */
  latestRuns(flowId: string, limit: number): Promise<RunInfo[]>;
  getRun(id: string): Promise<RunInfo>;
  /** Sluice's "run the next window now" (`flows run`); in-process only (no public route). */
  runNow(flowId: string): Promise<RunInfo>;
  explore(connectionId: string, query: ExploreQuery): Promise<ExploreResult>;
  listDatasets(): Promise<DatasetInfo[]>;
  /** A dataset by id or by name. */
  getDataset(ref: string): Promise<DatasetInfo>;
  /** The newest `limit` batches of a dataset. */
  listBatches(datasetId: string, limit: number): Promise<BatchInfo[]>;
  createDataset(input: DatasetCreateInput): Promise<DatasetInfo>;
  query(sql: string, maxRows: number): Promise<QueryResult>;
  listSandboxes(): Promise<SandboxInfo[]>;
}
