import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteEndpoint(): string {
  const { host, port } = inject('azurite');
  return `http://${host}:${port}/${AZURITE_ACCOUNT}`;
}

/** A connection string in the form the ATS tutorial shows, pointing at the shared Azurite. */
export function azuriteConnectionString(key = AZURITE_KEY): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${key};TableEndpoint=${azuriteEndpoint()};`;
}

/** A table name no other test uses (Azure: 3-63 alphanumerics, starting with a letter). */
export function uniqueTableName(prefix = 't'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}
