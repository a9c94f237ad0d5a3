/**
 * The tables as Kysely sees them. Times are epoch milliseconds (BIGINT), flags are 0/1 integers and
 * JSON documents are text in both dialects, so repositories are written once.
 */
export interface OrgsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface SandboxesTable {
  id: string;
  org_id: string;
  name: string;
  title: string;
  created_at: number;
}

export interface ApiClientsTable {
  id: string;
  org_id: string;
  name: string;
  key_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface AccessTokensTable {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  read_only: number;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

/**
 * Every instance entity (connection, sourceConnection, targetConnection, flow) is stored as its domain
 * document in `body`, with the columns that tenancy, ordering and reference checks need copied out.
 */
export interface EntityTable {
  id: string;
  org_id: string;
  sandbox_id: string;
  name: string;
  state: string;
  spec_id: string;
  created_at: number;
  updated_at: number;
  etag: string;
  body: string;
  /** The masked GET item as JSON text, written with the body (migration 010); null on older rows. */
  view: string | null;
  /** The representation version that wrote `view`; a different one means `view` is stale. */
  view_key: string | null;
}

/** A mapping set: tenancy and list columns; the documents live in mapping_set_versions. */
export interface MappingSetsTable {
  id: string;
  org_id: string;
  sandbox_id: string;
  name: string | null;
  latest_version: number;
  created_at: number;
  updated_at: number;
  created_by: string;
  updated_by: string;
}

/** One immutable version of a mapping set; `body` is the MappingSet document as JSON. */
export interface MappingSetVersionsTable {
  id: string;
  version: number;
  created_at: number;
  created_by: string;
  body: string;
}

/** Catalog dataSets; `body` is the domain document, the other columns serve tenancy, lists and uniqueness. */
export interface DatasetsTable {
  id: string;
  org_id: string;
  sandbox_id: string;
  name: string;
  description: string | null;
  schema: string;
  schema_ref: string | null;
  tags: string;
  state: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  body: string;
}

/** Batches of a dataset; `files` (JSON) are readable only while `status` is `success`. */
export interface BatchesTable {
  id: string;
  dataset_id: string;
  org_id: string;
  sandbox_id: string;
  status: string;
  records: number;
  bytes: number;
  files: string;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
  errors: string;
  flow_id: string | null;
  run_id: string | null;
}

export interface RunsTable {
  id: string;
  org_id: string;
  sandbox_id: string;
  flow_id: string;
  state: string;
  active: number;
  scheduled_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
  body: string;
}

export interface FlowCursorsTable {
  flow_id: string;
  org_id: string;
  sandbox_id: string;
  committed_end: number;
  boundary_keys: string;
  last_run_id: string;
  updated_at: number;
}

export interface WorkersTable {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  started_at: number;
  seen_at: number;
  runs: string;
}

/** An XDM schema of the Schema Registry subset; `body` is the XdmSchema document as JSON. */
export interface XdmSchemasTable {
  id: string;
  org_id: string;
  sandbox_id: string;
  alt_id: string;
  title: string;
  /** The title in lower case: one title per sandbox, whatever its case. */
  title_key: string;
  created_at: number;
  updated_at: number;
  body: string;
}

export interface Database {
  orgs: OrgsTable;
  sandboxes: SandboxesTable;
  api_clients: ApiClientsTable;
  access_tokens: AccessTokensTable;
  connections: EntityTable;
  source_connections: EntityTable;
  target_connections: EntityTable;
  flows: EntityTable;
  runs: RunsTable;
  flow_cursors: FlowCursorsTable;
  mapping_sets: MappingSetsTable;
  mapping_set_versions: MappingSetVersionsTable;
  datasets: DatasetsTable;
  batches: BatchesTable;
  workers: WorkersTable;
  xdm_schemas: XdmSchemasTable;
}

export type EntityTableName = 'connections' | 'source_connections' | 'target_connections' | 'flows';
