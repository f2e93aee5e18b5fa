import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A partner site. Its key is stored only as a SHA-256 hash (hex). */
export const ApiClient = defineEntity({
  name: 'ApiClient',
  tableName: 'api_client',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    name: p.text(),
    keyHash: p.text().hidden(),
    allowedOperations: p.array(),
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime(3).onCreate(() => new Date()),
    /** Set when the key must stop working; apiClientByKey ignores revoked clients. */
    revokedAt: p.datetime(3).nullable(),
    /** When a gateway last verified the key; written at most once a minute (services/api-clients.ts). */
    lastUsedAt: p.datetime(3).nullable(),
  },
});

export type ApiClientEntity = InferEntity<typeof ApiClient>;
