import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** An account's TOTP second factor. Pending (enabledAt null) from startTwoFactor until confirmTwoFactor. */
export const TwoFactor = defineEntity({
  name: 'TwoFactor',
  tableName: 'two_factor',
  properties: {
    userId: p.uuid().primary(),
    /** The base32 secret sealed with TOTP_ENCRYPTION_KEY, bound to the user id (services/key-encryption.ts). */
    secret: p.text().hidden(),
    enabledAt: p.datetime(3).nullable(),
    /** The 30 s time step of the last accepted code: a code at or before it is a replay. */
    lastUsedStep: p.bigint('number').nullable(),
    createdAt: p.datetime(3).onCreate(() => new Date()),
  },
});

export type TwoFactorEntity = InferEntity<typeof TwoFactor>;
