import type { EntityMeta } from './entity.ts';

export type ConnectionState = 'enabled' | 'disabled' | 'draft';

export interface SpecRef {
  readonly id: string;
  readonly version: string;
}

/** One stage of the last live verification, as the test endpoint reports it. */
export interface VerificationStage {
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly durationMs: number;
  readonly message?: string;
}

export interface Verification {
  readonly result: boolean;
  readonly testedAt: number;
  readonly stages: readonly VerificationStage[];
}

/**
 * A base connection. `auth.params` holds secret fields sealed (see crypto/secret-fields.ts) while
 * stored; they are opened only inside a connector call and masked in every response.
 */
export interface Connection extends EntityMeta {
  readonly name: string;
  readonly description?: string;
  readonly connectionSpec: SpecRef;
  readonly state: ConnectionState;
  readonly auth: { readonly specName: string; readonly params: Readonly<Record<string, unknown>> };
  readonly verification?: Verification;
}

/** The lifecycle of a base connection as a literal transition table: action → next state. */
export const connectionTransitions: Readonly<
  Record<ConnectionState, Partial<Readonly<Record<'publish' | 'enable' | 'disable', ConnectionState>>>>
> = {
  draft: { publish: 'enabled' },
  enabled: { disable: 'disabled' },
  disabled: { enable: 'enabled' },
};
