/** Who is calling: resolved from the access token and API key by the auth layer. */
export interface Principal {
  readonly tokenId: string;
  readonly orgId: string;
  /** The IMS-style user id recorded as createdBy/updatedBy. */
  readonly userId: string;
  /** The API key's client name, recorded as createdClient/updatedClient. */
  readonly clientId: string;
  readonly readOnly: boolean;
}

/** The (org, sandbox) every instance entity belongs to. A read across tenants is a 404. */
export interface Tenant {
  readonly orgId: string;
  readonly sandboxId: string;
  readonly sandboxName: string;
}

/** The full request identity: principal + tenant. */
export interface Actor extends Tenant {
  readonly userId: string;
  readonly clientId: string;
}

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
}

export interface Sandbox {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly title: string;
  readonly createdAt: number;
}

export interface ApiClient {
  readonly id: string;
  readonly orgId: string;
  /** The client name shown as createdClient (e.g. `sluice-cli`). */
  readonly name: string;
  readonly keyHash: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface AccessToken {
  readonly id: string;
  readonly orgId: string;
  readonly userId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly readOnly: boolean;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

/** Sandbox names as Adobe allows them: lower-case letters, digits and hyphens, starting with a letter. */
export const SANDBOX_NAME = /^[a-z][a-z0-9-]{0,62}$/;
