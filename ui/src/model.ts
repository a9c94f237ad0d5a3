/**
 * The shapes the screens read. The generated schema types many Adobe envelopes as open objects (the API
 * passes entities through as they are stored), so the screens narrow them here, to the fields they use.
 */
export interface ConnectionSpec {
  id: string;
  name: string;
  version: string;
  description?: string;
  authSpec: { name: string; type?: string; spec: JsonSchema }[];
  sourceSpec?: {
    name?: string;
    spec?: JsonSchema;
    attributes?: {
      uiAttributes?: {
        isSource?: boolean;
        isBeta?: boolean;
        category?: { key?: string };
        documentationLink?: string;
      };
    };
  };
  attributes?: Record<string, unknown>;
}

export interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  [key: string]: unknown;
}

export interface Connection {
  id: string;
  name: string;
  description?: string;
  state: string;
  etag: string;
  createdAt: number;
  updatedAt: number;
  connectionSpec: { id: string; version: string };
  auth: { specName: string; params: Record<string, unknown> };
}

export interface Stage {
  name: string;
  status: string;
  durationMs?: number;
  message?: string;
  code?: string;
}

export interface ExploreTable {
  type: string;
  name: string;
  path: string;
  canPreview?: boolean;
}

export interface ExploreColumn {
  name: string;
  type: string;
  'meta:xdmType'?: string;
  xdm?: { type?: string; format?: string };
  meta?: { originalType?: string; precision?: number; scale?: number };
}

export interface ExploredTable {
  format?: string;
  schema: { columns: ExploreColumn[] };
  data?: Record<string, unknown>[];
}

export interface Flow {
  id: string;
  name: string;
  state: string;
  etag: string;
  createdAt: number;
  sourceConnectionIds: string[];
  targetConnectionIds: string[];
  scheduleParams?: {
    frequency?: string;
    interval?: number | string;
    startTime?: number | string;
    backfill?: boolean | string;
  };
  inheritedAttributes?: {
    sourceConnections?: {
      id: string;
      connectionSpec?: { id: string };
      baseConnection?: { id: string; connectionSpec?: { id: string } };
    }[];
    targetConnections?: { id: string; connectionSpec?: { id: string } }[];
  };
  lastRunDetails?: { id?: string; state?: string; startedAtUTC?: number; completedAtUTC?: number };
}

export interface RunError {
  code: string;
  message: string;
}

export interface RowError {
  row?: number;
  column?: string;
  source?: string;
  destination?: string;
  reason?: string;
  [key: string]: unknown;
}

export interface Run {
  id: string;
  flowId: string;
  state: string;
  kind?: string;
  createdAt: number;
  updatedAt: number;
  retriggerOf?: string;
  /** A repair run: the damaged batch its commit replaces. */
  replacesBatchId?: string;
  windowStart?: number;
  windowEnd?: number;
  metrics: {
    durationSummary: { startedAtUTC?: number; completedAtUTC?: number };
    recordSummary: { inputRecordCount: number; outputRecordCount: number; failedRecordCount: number };
    sizeSummary?: { inputBytes?: number; outputBytes?: number };
    statusSummary: { status: string; errors: RunError[] };
  };
  activities: {
    id: string;
    durationSummary?: {
      startedAtUTC?: number;
      completedAtUTC?: number;
      extensions?: { windowStart?: number; windowEnd?: number };
    };
    recordSummary?: Record<string, number>;
    statusSummary?: {
      status?: string;
      errors?: RunError[];
      extensions?: {
        manifest?: { failedRecords?: string };
        sampleErrors?: RowError[];
        type?: string;
        deltaColumn?: string;
      };
    };
    targetInfo?: { reference?: { ids?: string[]; dataSetId?: string } }[];
  }[];
}

export interface DatasetField {
  name: string;
  type: string;
  fields?: DatasetField[];
  precision?: number;
  scale?: number;
}

export interface Dataset {
  name: string;
  description?: string;
  state?: string;
  created?: number;
  updated?: number;
  schema?: { fields: DatasetField[] };
}

export interface Batch {
  status: string;
  created?: number;
  completed?: number;
  metrics?: { recordsWritten?: number; outputFileCount?: number; outputByteSize?: number };
  relatedObjects?: { type: string; id: string }[];
}

/** Explore's XDM type, read as the Adobe-compatible shape sends it: meta:xdmType first, then xdm. */
export const xdmTypeOf = (column: ExploreColumn): string =>
  column['meta:xdmType'] ?? column.xdm?.format ?? column.xdm?.type ?? column.type;

/**
 * The dataset field type for a column: its temporal XDM type when it has one (Adobe's explore sends
 * `type: "string"` with `meta:xdmType: "date-time"` for timestamps), else its type.
 */
export const fieldTypeOf = (column: ExploreColumn): string => {
  const xdm = column['meta:xdmType'];
  return xdm === 'date' || xdm === 'date-time' ? xdm : column.type;
};

export const isTemporal = (column: ExploreColumn): boolean =>
  ['date', 'date-time'].includes(fieldTypeOf(column));
