import { randomBytes, randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const newId = (): string => randomUUID();

export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * A new etag in Adobe's (Cosmos DB) shape, quoted: `"6802064a-0000-0200-0000-6387c6b90000"`.
 * The last group carries the write time (seconds, hex) as Adobe's do; the first is random.
 */
export function newEtag(now: number = Date.now()): string {
  const random = randomBytes(4).toString('hex');
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0')
    .slice(-8);
  return `"${random}-0000-0200-0000-${seconds}0000"`;
}

/** An IMS organization id in Adobe's shape: 24 upper-case hex characters + `@AdobeOrg`. */
export const newOrgId = (): string => `${randomBytes(12).toString('hex').toUpperCase()}@AdobeOrg`;

/** A user id in Adobe's shape, used as `createdBy`: 24 upper-case hex + `@AdobeID`. */
export const newUserId = (): string => `${randomBytes(12).toString('hex').toUpperCase()}@AdobeID`;
