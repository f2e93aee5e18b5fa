import { createHash } from 'node:crypto';

/**
 * A deterministic UUID (v5 layout, SHA-1 of a fixed namespace and the name) for seed data, so that
 * subgraphs can refer to each other's seeded entities (`seedId('org:sunset-reptiles')`) without
 * reading each other's tables, and every start seeds the same ids.
 */
export function seedId(name: string): string {
  const bytes = createHash('sha1').update(`terrarium-seed:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True when `value` is a UUID; ids are UUIDs everywhere, and a malformed one is a client error. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
