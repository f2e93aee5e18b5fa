import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A password reset link's token. Only its SHA-256 (hex) is stored, so a read of the table gives
 * nobody a usable link; `usedAt` makes it single-use.
 */
export const PasswordResetToken = defineEntity({
  name: 'PasswordResetToken',
  tableName: 'password_reset_token',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    userId: p.uuid(),
    tokenHash: p.text().hidden(),
    expiresAt: p.datetime(3),
    usedAt: p.datetime(3).nullable(),
    createdAt: p.datetime(3).onCreate(() => new Date()),
  },
});

export type PasswordResetTokenEntity = InferEntity<typeof PasswordResetToken>;
