/**
 * sourceConnections, targetConnections and flows (flow-service-api.md §3.4, §3.5, §3.7), as stored.
 * `scheduleParams` keeps the values exactly as the client sent them (Adobe's docs send strings, the spec
 * integers); `schedule` holds the parsed form the scheduler uses.
 */
import type { EntityMeta } from './entity.ts';
import type { SpecRef } from './connection.ts';
import type { NormalizedType } from './types.ts';

export const DATA_LAKE_SPEC_ID = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';
export const CRM_TO_AEP_FLOW_SPEC_ID = '14518937-270c-4525-bdec-c2ba7cce3860';

export interface SourceColumn {
  readonly name: string;
  readonly type: NormalizedType;
  readonly xdm?: Readonly<Record<string, unknown>>;
  readonly 'meta:xdmType'?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface SourceConnection extends EntityMeta {
  readonly name: string;
  readonly description?: string;
  readonly baseConnectionId: string;
  readonly state: 'enabled' | 'draft';
  readonly data: { readonly format: string };
  readonly params: {
    readonly tableName: string;
    readonly columns: readonly SourceColumn[];
    readonly filters?: unknown;
    readonly cdcEnabled?: boolean;
  };
  readonly connectionSpec: SpecRef;
}

export interface TargetConnection extends EntityMeta {
  readonly name: string;
  readonly description?: string;
  readonly state: 'enabled' | 'draft';
  readonly data: { readonly format: string; readonly schema?: Readonly<Record<string, unknown>> };
  readonly params: { readonly dataSetId: string };
  readonly connectionSpec: SpecRef;
}

export type FlowState = 'enabled' | 'disabled' | 'draft';
export type Frequency = 'once' | 'minute' | 'hour' | 'day' | 'week';

/** The parsed schedule: times in epoch ms. */
export interface Schedule {
  readonly startTime: number;
  readonly frequency: Frequency;
  /** In units of `frequency`; absent for `once`. */
  readonly interval?: number;
  readonly backfill: boolean;
}

export interface Transformation {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface DeltaColumn {
  readonly name: string;
  readonly dateFormat?: string;
  readonly timezone?: string;
}

export interface LastRunDetails {
  readonly id: string;
  readonly state: string;
  readonly startedAtUTC: number;
  readonly completedAtUTC?: number;
}

export interface Flow extends EntityMeta {
  readonly name: string;
  readonly description?: string;
  readonly flowSpec: SpecRef;
  readonly state: FlowState;
  readonly sourceConnectionIds: readonly string[];
  readonly targetConnectionIds: readonly string[];
  readonly transformations: readonly Transformation[];
  readonly scheduleParams: Readonly<Record<string, unknown>>;
  readonly schedule?: Schedule;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly labels?: readonly string[];
  readonly inheritedAttributes: {
    readonly sourceConnections: readonly {
      id: string;
      connectionSpec: SpecRef;
      baseConnection: { id: string; connectionSpec: SpecRef };
    }[];
    readonly targetConnections: readonly { id: string; connectionSpec: SpecRef }[];
    readonly properties: { readonly isSourceFlow: true };
  };
  readonly lastOperation: {
    readonly started: number;
    readonly updated: number;
    readonly percentCompleted: number;
    readonly status: { readonly value: 'completed'; readonly errors: readonly unknown[] };
    readonly ops: readonly unknown[];
    readonly operation: 'create' | 'update' | 'enable' | 'disable' | 'publish';
  };
  readonly lastRunDetails?: LastRunDetails;
}

/** Flow lifecycle: action → next state. */
export const flowTransitions: Readonly<
  Record<FlowState, Partial<Readonly<Record<'enable' | 'disable' | 'publish', FlowState>>>>
> = {
  draft: { publish: 'enabled' },
  enabled: { disable: 'disabled' },
  disabled: { enable: 'enabled' },
};

export const FREQUENCY_MS: Readonly<Record<Exclude<Frequency, 'once'>, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};
