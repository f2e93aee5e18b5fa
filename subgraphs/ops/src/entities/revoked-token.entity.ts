import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A user token revoked before its expiry (logOut); kept until it would have expired. */
export const RevokedToken = defineEntity({
  name: 'RevokedToken',
  tableName: 'revoked_token',
  properties: {
    /** The token's `jti`. */
    jti: p.uuid().primary(),
    userId: p.uuid(),
    expiresAt: p.datetime(3),
    revokedAt: p.datetime(3).onCreate(() => new Date()),
  },
});

export type RevokedTokenEntity = InferEntity<typeof RevokedToken>;
