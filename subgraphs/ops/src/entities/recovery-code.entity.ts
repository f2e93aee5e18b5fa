import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A single-use recovery code; only its SHA-256 (hex) is stored. */
export const RecoveryCode = defineEntity({
  name: 'RecoveryCode',
  tableName: 'recovery_code',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    userId: p.uuid(),
    codeHash: p.text().hidden(),
    usedAt: p.datetime(3).nullable(),
  },
});

export type RecoveryCodeEntity = InferEntity<typeof RecoveryCode>;
